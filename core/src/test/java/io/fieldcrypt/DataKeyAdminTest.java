package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.spi.DataKeyCount;
import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.testing.ForwardingKeyProvider;
import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataKeyAdminTest {

    private static final FieldContext ROW = FieldContext.of("Customer", "customer", "ssn", "1");
    private static final byte[] VALUE = "123-45-6789".getBytes(UTF_8);
    private static final Set<String> SCOPES = Set.of("a", "b");

    private final KeyProvider provider = TestKeys.localProvider("old", "new");
    private final InMemoryDataKeyStore store = new InMemoryDataKeyStore();

    private FieldEncryptor encryptor(String masterKeyId, String... trusted) {
        return FieldEncryptor.builder()
                .keyProvider(provider)
                .masterKeyId(masterKeyId)
                .trustedMasterKeyIds(List.of(trusted))
                .dataKeyStore(store)
                .build();
    }

    @Test
    void rewrap_movesEveryKeyToCurrentMasterKey_valuesStillOpen() {
        byte[] first;
        byte[] second;
        try (FieldEncryptor old = encryptor("old")) {
            first = old.seal("a", ROW, VALUE);
            second = old.seal("b", ROW, VALUE);
        }
        try (FieldEncryptor current = encryptor("new", "old")) {
            RewrapReport report = current.dataKeys().rewrap(SCOPES);

            // Only the two scope keys are under a master key; the data keys are wrapped under them.
            assertThat(report).isEqualTo(new RewrapReport(2, 0, List.of()));
            assertThat(current.stats().reEncryptDataKeyCalls()).isEqualTo(2);
            assertThat(current.dataKeys().counts(SCOPES))
                    .containsExactlyInAnyOrder(
                            new DataKeyCount(DataKeyState.ACTIVE, "new", 2),
                            new DataKeyCount(DataKeyState.ACTIVE, "fieldcrypt:key:1", 1),
                            new DataKeyCount(DataKeyState.ACTIVE, "fieldcrypt:key:3", 1));
            assertThat(current.open("a", ROW, first)).isEqualTo(VALUE);
            assertThat(current.open("b", ROW, second)).isEqualTo(VALUE);
            assertThat(current.dataKeys().rewrap(SCOPES)).isEqualTo(new RewrapReport(0, 2, List.of()));
        }
    }

    @Test
    void rewrap_keyProviderRefuses_reportedAndLeftReadable() {
        KeyProvider onlyNew = TestKeys.localProvider("new");
        try (FieldEncryptor old = encryptor("old")) {
            old.seal("a", ROW, VALUE);
        }
        try (FieldEncryptor current = FieldEncryptor.builder()
                .keyProvider(onlyNew)
                .masterKeyId("new")
                .trustedMasterKeyIds(List.of("new"))
                .dataKeyStore(store)
                .build()) {
            // "old" is trusted by the next encryptor, but this provider does not know it.
            assertThatThrownBy(() -> current.dataKeys().rewrap(SCOPES))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("scope key 1 is wrapped under master key old, which is not a trusted");
        }
        try (FieldEncryptor current = encryptor("new", "old")) {
            store.overwrite(withMasterKey(store.find(1).orElseThrow(), "old"));
            RewrapReport report;
            try (FieldEncryptor failing = FieldEncryptor.builder()
                    .keyProvider(new RefusingReEncrypt(provider))
                    .masterKeyId("new")
                    .trustedMasterKeyIds(List.of("old"))
                    .dataKeyStore(store)
                    .build()) {
                report = failing.dataKeys().rewrap(SCOPES);
            }
            assertThat(report.failed()).isEqualTo(1);
            assertThat(report.failedIds()).containsExactly(1L);
            assertThat(store.find(1).orElseThrow().wrapped().masterKeyId()).isEqualTo("old");
            assertThat(current.open("a", ROW, current.seal("a", ROW, VALUE))).isEqualTo(VALUE);
        }
    }

    /** The engine checks the rewrap answer for any key provider: a key under another master key is not stored. */
    @Test
    void rewrap_providerAnswersUnderAnotherMasterKey_reportedFailedAndRowUnchanged() {
        try (FieldEncryptor old = encryptor("old")) {
            old.seal("a", ROW, VALUE);
        }
        KeyProvider lying = new ForwardingKeyProvider(provider) {
            @Override
            public io.fieldcrypt.spi.WrappedDataKey reEncryptDataKey(
                    io.fieldcrypt.spi.WrappedDataKey wrapped,
                    java.util.Map<String, String> encryptionContext,
                    String destinationMasterKeyId) {
                var real = super.reEncryptDataKey(wrapped, encryptionContext, destinationMasterKeyId);
                return new io.fieldcrypt.spi.WrappedDataKey("elsewhere", real.encryptedKey());
            }
        };
        try (FieldEncryptor current = FieldEncryptor.builder()
                .keyProvider(lying)
                .masterKeyId("new")
                .trustedMasterKeyIds(List.of("old"))
                .dataKeyStore(store)
                .build()) {
            RewrapReport report = current.dataKeys().rewrap(SCOPES);

            assertThat(report.failedIds()).containsExactly(1L);
            assertThat(store.find(1).orElseThrow().wrapped().masterKeyId()).isEqualTo("old");
        }
    }

    @Test
    void rewrap_untrustedRowAmongOthers_refusesBeforeRewrappingAnything() {
        try (FieldEncryptor attacker = encryptor("new")) {
            attacker.seal("a", ROW, VALUE);
        }
        try (FieldEncryptor old = encryptor("old")) {
            old.seal("b", ROW, VALUE);
        }
        // The application trusts only "old" and makes new keys under "old"... then rotates to a third key.
        KeyProvider three = TestKeys.localProvider("old", "new", "next");
        try (FieldEncryptor current = FieldEncryptor.builder()
                .keyProvider(three)
                .masterKeyId("next")
                .trustedMasterKeyIds(List.of("old"))
                .dataKeyStore(store)
                .build()) {
            assertThatThrownBy(() -> current.dataKeys().rewrap(SCOPES))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessage("rewrap refused, nothing was rewrapped: 1 key(s) cannot be trusted [1]. The"
                            + " first: scope key 1 is wrapped under master key new, which is not a trusted master key; refusing to"
                            + " unwrap it. If that key is yours, add it to the trusted master keys");
            assertThat(current.stats().reEncryptDataKeyCalls()).isZero();
            assertThat(store.find(3).orElseThrow().wrapped().masterKeyId()).isEqualTo("old");
        }
    }

    @Test
    void rotate_retiresActiveKeysOfScopesOnly_andNextSealUsesNewKey() {
        try (FieldEncryptor encryptor = encryptor("old")) {
            long before = Envelope.parse(encryptor.seal("a", ROW, VALUE)).dataKeyId();
            long foreign =
                    Envelope.parse(encryptor.seal("billing.iban", ROW, VALUE)).dataKeyId();

            RotationReport report = encryptor.dataKeys().rotate(SCOPES);

            long after = Envelope.parse(encryptor.seal("a", ROW, VALUE)).dataKeyId();
            assertThat(report.retired())
                    .as("data keys only, not the scope key retired with it")
                    .isEqualTo(1);
            assertThat(after).isNotEqualTo(before);
            assertThat(store.find(after).orElseThrow().wrapped().masterKeyId())
                    .as("under a new scope key")
                    .isNotEqualTo(store.find(before).orElseThrow().wrapped().masterKeyId());
            assertThat(encryptor.dataKeys().retiredKeys(SCOPES))
                    .extracting(StoredDataKey::id)
                    .containsExactly(before);
            assertThat(store.find(before).orElseThrow().retiredAt()).isEqualTo(report.retiredAt());
            assertThat(store.find(foreign).orElseThrow().state()).isEqualTo(DataKeyState.ACTIVE);
        }
    }

    @Test
    void destroy_deletesOnlyRetiredKeysOfScopes_afterTheGuardAgrees() {
        try (FieldEncryptor encryptor = encryptor("old")) {
            long retired = Envelope.parse(encryptor.seal("a", ROW, VALUE)).dataKeyId();
            long foreign =
                    Envelope.parse(encryptor.seal("billing.iban", ROW, VALUE)).dataKeyId();
            encryptor.dataKeys().rotate(Set.of("a", "billing.iban"));
            long active = Envelope.parse(encryptor.seal("a", ROW, VALUE)).dataKeyId();

            assertThatThrownBy(() -> encryptor.dataKeys().destroy(SCOPES, (connection, keys, now) -> {
                        throw new FieldCryptException("still needed");
                    }))
                    .hasMessage("still needed");
            assertThat(store.find(retired)).isPresent();

            long retiredScopeKey =
                    store.find(retired).orElseThrow().wrapped().scopeKeyId().orElseThrow();
            assertThat(encryptor.dataKeys().destroy(SCOPES, (connection, keys, now) -> {}))
                    .containsExactly(retiredScopeKey, retired);
            assertThat(store.find(retired)).isEmpty();
            assertThat(store.find(active)).isPresent();
            assertThat(store.find(foreign)).isPresent();
        }
    }

    /** A scope key row claiming to be wrapped under another scope key is not a key rewrap may skip: it is refused. */
    @Test
    void rewrap_scopeKeyRowClaimingAScopeKeyAsItsWrapper_refusesTheRun() {
        try (FieldEncryptor encryptor = encryptor("old")) {
            long dataKey = Envelope.parse(encryptor.seal("a", ROW, VALUE)).dataKeyId();
            long scopeKey =
                    store.find(dataKey).orElseThrow().wrapped().scopeKeyId().orElseThrow();
            StoredDataKey row = store.find(scopeKey).orElseThrow();
            store.overwrite(withMasterKey(row, "fieldcrypt:key:" + dataKey));

            assertThatThrownBy(() -> encryptor.dataKeys().rewrap(SCOPES))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("scope key " + scopeKey + " is wrapped under master key fieldcrypt:key:"
                            + dataKey + ", which is not a trusted master key");
        }
    }

    /** A scope key retired while a data key under it stayed active (made during the rotation) is not destroyed. */
    @Test
    void destroy_retiredScopeKeyStillWrappingAnActiveKey_kept() {
        try (FieldEncryptor encryptor = encryptor("old")) {
            byte[] sealed = encryptor.seal("a", ROW, VALUE);
            long dataKey = Envelope.parse(sealed).dataKeyId();
            long scopeKey =
                    store.find(dataKey).orElseThrow().wrapped().scopeKeyId().orElseThrow();
            store.retire(scopeKey);

            assertThat(encryptor.dataKeys().destroy(SCOPES, (connection, keys, now) -> {}))
                    .isEmpty();

            assertThat(store.find(scopeKey)).isPresent();
            try (FieldEncryptor cold = encryptor("old")) {
                assertThat(cold.open("a", ROW, sealed)).isEqualTo(VALUE);
            }
        }
    }

    private static StoredDataKey withMasterKey(StoredDataKey row, String masterKeyId) {
        return new StoredDataKey(
                row.id(),
                row.scope(),
                new io.fieldcrypt.spi.WrappedDataKey(masterKeyId, row.wrapped().encryptedKey()),
                row.encryptionContext(),
                row.state(),
                row.createdAt(),
                row.expiresAt(),
                row.retiredAt());
    }

    /** A key provider whose re-encrypt operation is refused, as KMS refuses it without the permission. */
    private static final class RefusingReEncrypt extends ForwardingKeyProvider {
        RefusingReEncrypt(KeyProvider delegate) {
            super(delegate);
        }

        @Override
        public io.fieldcrypt.spi.WrappedDataKey reEncryptDataKey(
                io.fieldcrypt.spi.WrappedDataKey wrapped,
                java.util.Map<String, String> encryptionContext,
                String destinationMasterKeyId) {
            throw new KeyProviderException(KeyProviderException.Reason.ACCESS_DENIED, "no kms:ReEncrypt");
        }
    }
}
