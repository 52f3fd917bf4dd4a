package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.spi.DataKeyCount;
import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataKeyAdminTest {

    private static final FieldContext ROW = FieldContext.of("Customer", "ssn", "1");
    private static final byte[] VALUE = "123-45-6789".getBytes(UTF_8);

    private final KeyProvider provider = TestKeys.localProvider("old", "new");
    private final InMemoryDataKeyStore store = new InMemoryDataKeyStore();

    private FieldEncryptor encryptor(String masterKeyId) {
        return FieldEncryptor.builder().keyProvider(provider).masterKeyId(masterKeyId).dataKeyStore(store).build();
    }

    @Test
    void rewrap_movesEveryKeyToCurrentMasterKey_valuesStillOpen() {
        byte[] first;
        byte[] second;
        try (FieldEncryptor old = encryptor("old")) {
            first = old.seal("a", ROW, VALUE);
            second = old.seal("b", ROW, VALUE);
        }
        try (FieldEncryptor current = encryptor("new")) {
            RewrapReport report = current.dataKeys().rewrap();

            assertThat(report).isEqualTo(new RewrapReport(2, 0, 0, List.of()));
            assertThat(current.stats().reEncryptDataKeyCalls()).isEqualTo(2);
            assertThat(current.dataKeys().counts()).containsExactly(new DataKeyCount(DataKeyState.ACTIVE, "new", 2));
            assertThat(current.open(ROW, first)).isEqualTo(VALUE);
            assertThat(current.open(ROW, second)).isEqualTo(VALUE);
            assertThat(current.dataKeys().rewrap()).isEqualTo(new RewrapReport(0, 2, 0, List.of()));
        }
    }

    @Test
    void rewrap_keyProviderRefuses_reportedAndLeftReadable() {
        KeyProvider onlyNew = TestKeys.localProvider("new");
        try (FieldEncryptor old = encryptor("old")) {
            old.seal("a", ROW, VALUE);
        }
        try (FieldEncryptor current = FieldEncryptor.builder().keyProvider(onlyNew).masterKeyId("new")
                .dataKeyStore(store).build()) {
            RewrapReport report = current.dataKeys().rewrap();

            assertThat(report.failed()).isEqualTo(1);
            assertThat(report.failedIds()).containsExactly(1L);
            assertThat(store.find(1).orElseThrow().wrapped().masterKeyId()).isEqualTo("old");
        }
    }

    @Test
    void rotate_retiresActiveKeysAndNextSealUsesNewKey() {
        try (FieldEncryptor encryptor = encryptor("old")) {
            long before = Envelope.parse(encryptor.seal("a", ROW, VALUE)).dataKeyId();

            RotationReport report = encryptor.dataKeys().rotate();

            long after = Envelope.parse(encryptor.seal("a", ROW, VALUE)).dataKeyId();
            assertThat(report.retired()).isEqualTo(1);
            assertThat(after).isNotEqualTo(before);
            assertThat(encryptor.dataKeys().retiredKeys()).extracting(k -> k.id()).containsExactly(before);
            assertThat(store.find(before).orElseThrow().retiredAt()).isEqualTo(report.retiredAt());
        }
    }

    @Test
    void destroy_deletesOnlyRetiredKeys() {
        try (FieldEncryptor encryptor = encryptor("old")) {
            long retired = Envelope.parse(encryptor.seal("a", ROW, VALUE)).dataKeyId();
            encryptor.dataKeys().rotate();
            long active = Envelope.parse(encryptor.seal("a", ROW, VALUE)).dataKeyId();

            assertThat(encryptor.dataKeys().destroy(List.of(retired, active))).isEqualTo(1);
            assertThat(store.find(retired)).isEmpty();
            assertThat(store.find(active)).isPresent();
        }
    }
}
