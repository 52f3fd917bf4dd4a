package io.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldContextTest {

    @Test
    void columnRow_anyId_equalsContextOfTheSameParts() {
        FieldContext.Column column = FieldContext.column("Customer", "customer", "ssn");
        for (String id : List.of("", "42", "-7", "clinic-7", "a😀b", "[\"x\",1]")) {
            FieldContext made = column.row(id);
            FieldContext expected = FieldContext.of("Customer", "customer", "ssn", id);
            assertThat(made).isEqualTo(expected).hasSameHashCodeAs(expected);
            for (Envelope.Version version : Envelope.Version.values()) {
                assertThat(made.associatedData(version)).isEqualTo(expected.associatedData(version));
            }
        }
    }

    @Test
    void columnRow_sealedByOneOpenedByTheOther_roundTrips() {
        try (FieldEncryptor encryptor = FieldEncryptor.builder()
                .keyProvider(TestKeys.localProvider("k1"))
                .masterKeyId("k1")
                .dataKeyStore(new InMemoryDataKeyStore())
                .build()) {
            byte[] envelope =
                    encryptor.seal("s", FieldContext.column("E", "t", "c").row("9"), new byte[] {1, 2, 3});
            assertThat(encryptor.open("s", FieldContext.of("E", "t", "c", "9"), envelope))
                    .containsExactly(1, 2, 3);
        }
    }

    @Test
    void column_toString_showsNamesOnly() {
        assertThat(FieldContext.column("Customer", "customer", "ssn")).hasToString("Customer.customer.ssn");
    }

    @Test
    void column_nullPart_throwsNullPointerException() {
        assertThatThrownBy(() -> FieldContext.column("E", null, "c"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("table");
        assertThatThrownBy(() -> FieldContext.column("E", "t", "c").row(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("id");
    }
}
