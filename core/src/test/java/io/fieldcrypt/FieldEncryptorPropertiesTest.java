package io.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.util.Arrays;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/** Properties of sealing and opening, over generated plaintexts, contexts and corruptions. */
class FieldEncryptorPropertiesTest {

    private static final FieldEncryptor ENCRYPTOR = FieldEncryptor.builder()
            .keyProvider(TestKeys.localProvider("k1"))
            .masterKeyId("k1")
            .dataKeyStore(new InMemoryDataKeyStore())
            .build();

    @AfterContainer
    static void close() {
        ENCRYPTOR.close();
    }

    @Property(tries = 500)
    void anyPlaintext_roundTrips(
            @ForAll @Size(max = 2048) byte[] plaintext,
            @ForAll String entity,
            @ForAll String column,
            @ForAll String id) {
        FieldContext context = FieldContext.of(entity, "t", column, id);

        byte[] sealed = ENCRYPTOR.seal("scope", context, plaintext);

        assertThat(ENCRYPTOR.open("scope", context, sealed)).isEqualTo(plaintext);
    }

    @Property
    void anyFlippedBit_failsWithOurException(
            @ForAll @Size(max = 256) byte[] plaintext,
            @ForAll @IntRange(min = 0, max = 10_000) int position,
            @ForAll @IntRange(min = 0, max = 7) int bit) {
        FieldContext context = FieldContext.of("E", "e", "c", "1");
        byte[] sealed = ENCRYPTOR.seal("scope", context, plaintext);
        sealed[position % sealed.length] ^= (byte) (1 << bit);

        assertThatThrownBy(() -> ENCRYPTOR.open("scope", context, sealed)).isInstanceOf(DecryptionException.class);
    }

    @Property
    void anyTruncation_failsWithOurException(
            @ForAll @Size(max = 256) byte[] plaintext, @ForAll @IntRange(min = 1, max = 10_000) int cut) {
        FieldContext context = FieldContext.of("E", "e", "c", "1");
        byte[] sealed = ENCRYPTOR.seal("scope", context, plaintext);
        byte[] truncated = Arrays.copyOf(sealed, sealed.length - 1 - (cut % sealed.length));

        assertThatThrownBy(() -> ENCRYPTOR.open("scope", context, truncated)).isInstanceOf(DecryptionException.class);
    }

    @Property(tries = 300)
    void anyOtherContext_failsAuthentication(
            @ForAll @Size(max = 64) byte[] plaintext,
            @ForAll String entity,
            @ForAll String column,
            @ForAll String id,
            @ForAll String otherId) {
        Assume.that(!id.equals(otherId));
        byte[] sealed = ENCRYPTOR.seal("scope", FieldContext.of(entity, "t", column, id), plaintext);

        assertThatThrownBy(() -> ENCRYPTOR.open("scope", FieldContext.of(entity, "t", column, otherId), sealed))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("decryption failed: authentication tag mismatch");
    }

    @Property(tries = 300)
    void partsShiftedBetweenFields_failAuthentication(@ForAll @Size(max = 64) byte[] plaintext) {
        // The length prefixes keep ("ab", "c") apart from ("a", "bc").
        byte[] sealed = ENCRYPTOR.seal("scope", FieldContext.of("ab", "t", "c", "1"), plaintext);

        assertThatThrownBy(() -> ENCRYPTOR.open("scope", FieldContext.of("a", "t", "bc", "1"), sealed))
                .isInstanceOf(DecryptionException.class);
    }

    @Property
    void arbitraryBytes_openedOnlyWithOurExceptions(@ForAll @Size(max = 300) byte[] bytes) {
        FieldContext context = FieldContext.of("E", "e", "c", "1");
        try {
            ENCRYPTOR.open("scope", context, bytes);
            throw new AssertionError("arbitrary bytes opened");
        } catch (FieldCryptException expected) {
            assertThat(expected).isInstanceOf(DecryptionException.class);
        }
    }
}
