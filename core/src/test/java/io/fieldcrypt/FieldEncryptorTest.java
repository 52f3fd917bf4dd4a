package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.spi.WrappedDataKey;
import io.fieldcrypt.testing.ForwardingKeyProvider;
import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FieldEncryptorTest {

    private static final String SCOPE = "customer.ssn";
    private static final FieldContext ROW_1 = FieldContext.of("Customer", "customer", "ssn", "1");
    private static final byte[] SSN = "123-45-6789".getBytes(UTF_8);

    private final KeyProvider provider = TestKeys.localProvider("k1");
    private final InMemoryDataKeyStore store = new InMemoryDataKeyStore();
    private final FieldEncryptor encryptor = FieldEncryptor.builder()
            .keyProvider(provider)
            .masterKeyId("k1")
            .dataKeyStore(store)
            .build();

    @AfterEach
    void close() {
        encryptor.close();
    }

    @Test
    void seal_thenOpen_givesPlaintextBack() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);

        assertThat(encryptor.open(SCOPE, ROW_1, sealed)).isEqualTo(SSN);
    }

    @Test
    void seal_output_isEnvelopeWithoutPlaintext() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);

        assertThat(Envelope.isWellFormed(sealed)).isTrue();
        assertThat(sealed).hasSize(SSN.length + Envelope.OVERHEAD_BYTES);
        assertThat(new String(sealed, UTF_8)).doesNotContain("123-45-6789");
    }

    @Test
    void seal_samePlaintextTwice_givesDifferentEnvelopes() {
        assertThat(encryptor.seal(SCOPE, ROW_1, SSN)).isNotEqualTo(encryptor.seal(SCOPE, ROW_1, SSN));
    }

    @Test
    void seal_twoScopes_useTwoDataKeys() {
        long first = Envelope.parse(encryptor.seal("customer.ssn", ROW_1, SSN)).dataKeyId();
        long second =
                Envelope.parse(encryptor.seal("customer.email", ROW_1, SSN)).dataKeyId();

        assertThat(first).isNotEqualTo(second);
        assertThat(store.find(first).orElseThrow().encryptionContext())
                .isEqualTo(Map.of("fieldcrypt:scope", "customer.ssn"));
    }

    @Test
    void open_otherRowId_failsAuthentication() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);

        assertThatThrownBy(() -> encryptor.open(SCOPE, FieldContext.of("Customer", "customer", "ssn", "2"), sealed))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("decryption failed: authentication tag mismatch");
    }

    @Test
    void open_otherColumn_failsAuthentication() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);

        assertThatThrownBy(() -> encryptor.open(SCOPE, FieldContext.of("Customer", "customer", "email", "1"), sealed))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("decryption failed: authentication tag mismatch");
    }

    @Test
    void open_otherEntity_failsAuthentication() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);

        assertThatThrownBy(() -> encryptor.open(SCOPE, FieldContext.of("Supplier", "supplier", "ssn", "1"), sealed))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("decryption failed: authentication tag mismatch");
    }

    @Test
    void open_flippedCiphertextByte_failsAuthentication() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);
        sealed[Envelope.CIPHERTEXT_OFFSET + 2] ^= 0x01;

        assertThatThrownBy(() -> encryptor.open(SCOPE, ROW_1, sealed))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("decryption failed: authentication tag mismatch");
    }

    @Test
    void open_truncated_failsWithoutPartialPlaintext() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);

        assertThatThrownBy(() -> encryptor.open(SCOPE, ROW_1, Arrays.copyOf(sealed, sealed.length - 1)))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("decryption failed: authentication tag mismatch");
    }

    @Test
    void open_dataKeyIdRewrittenToAnotherKey_failsAuthentication() {
        byte[] first = encryptor.seal("customer.ssn", ROW_1, SSN);
        byte[] second = encryptor.seal("customer.email", ROW_1, SSN);
        System.arraycopy(second, 3, first, 3, 8);

        assertThatThrownBy(() -> encryptor.open(Set.of("customer.ssn", "customer.email"), ROW_1, first))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("decryption failed: authentication tag mismatch");
    }

    @Test
    void open_dataKeyOfAnotherScope_refusedBeforeDecrypting() {
        byte[] email = encryptor.seal("customer.email", ROW_1, SSN);
        long id = Envelope.parse(email).dataKeyId();

        assertThatThrownBy(() -> encryptor.open("customer.ssn", ROW_1, email))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("data key " + id + " belongs to scope customer.email, not to customer.ssn; refusing to"
                        + " use it");
        assertThatThrownBy(() -> encryptor.open(Set.of("a", "b"), ROW_1, email))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("data key " + id + " belongs to scope customer.email, not to any of [a, b]; refusing to"
                        + " use it");
    }

    @Test
    void open_unknownDataKey_namesTheId() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);
        Arrays.fill(sealed, 3, 11, (byte) 0);
        sealed[10] = 99;

        assertThatThrownBy(() -> encryptor.open(SCOPE, ROW_1, sealed))
                .isInstanceOf(DataKeyNotFoundException.class)
                .hasMessage("data key 99 not found in table in-memory: it was destroyed, or the table does not"
                        + " belong to the data being read")
                .extracting(e -> ((DataKeyNotFoundException) e).dataKeyId())
                .isEqualTo(99L);
    }

    @Test
    void open_notAnEnvelope_formatException() {
        assertThatThrownBy(() -> encryptor.open(SCOPE, ROW_1, SSN))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: too short (11 bytes, at least 39 needed)");
    }

    /** One rule for seal and open: a null argument is a programming error, named; no key is made or looked up. */
    @Test
    void seal_nullArgument_nullPointerNamingIt() {
        assertThatThrownBy(() -> encryptor.seal(null, ROW_1, SSN))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("scope");
        assertThatThrownBy(() -> encryptor.seal(SCOPE, null, SSN))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("context");
        assertThatThrownBy(() -> encryptor.seal(SCOPE, ROW_1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("plaintext");
        assertThat(store.size()).isZero();
        assertThat(encryptor.stats().keyProviderCalls()).isZero();
    }

    @Test
    void open_nullArgument_nullPointerNamingIt() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);

        assertThatThrownBy(() -> encryptor.open((String) null, ROW_1, sealed))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("scope");
        assertThatThrownBy(() -> encryptor.open((Set<String>) null, ROW_1, sealed))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("scopes");
        assertThatThrownBy(() -> encryptor.open(SCOPE, null, sealed))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("context");
        assertThatThrownBy(() -> encryptor.open(SCOPE, ROW_1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("envelope");
        assertThatThrownBy(() -> encryptor.open(Set.of(SCOPE), ROW_1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("envelope");
    }

    @Test
    void open_emptyBytes_formatExceptionNotNullPointer() {
        assertThatThrownBy(() -> encryptor.open(SCOPE, ROW_1, new byte[0]))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: too short (0 bytes, at least 39 needed)");
    }

    @Test
    void open_storedKeyRewrappedForAnotherScope_refusedAsDecryptionFailure() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);
        long id = Envelope.parse(sealed).dataKeyId();
        StoredDataKey row = store.find(id).orElseThrow();
        store.overwrite(new StoredDataKey(
                id,
                "customer.email",
                row.wrapped(),
                Map.of("fieldcrypt:scope", "customer.email"),
                row.state(),
                row.createdAt(),
                row.expiresAt(),
                null));

        try (FieldEncryptor cold = FieldEncryptor.builder()
                .keyProvider(provider)
                .masterKeyId("k1")
                .dataKeyStore(store)
                .build()) {
            // The expected scope comes from the caller: the relabelled row is refused before any provider call.
            assertThatThrownBy(() -> cold.open(SCOPE, ROW_1, sealed))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessage("data key " + id + " belongs to scope customer.email, not to " + SCOPE
                            + "; refusing to use it");
            assertThat(cold.stats().decryptDataKeyCalls()).isZero();
            // A caller that accepts both scopes is refused too: the key is wrapped under its real scope's scope key.
            long scopeKey = row.wrapped().scopeKeyId().orElseThrow();
            assertThatThrownBy(() -> cold.open(Set.of(SCOPE, "customer.email"), ROW_1, sealed))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessage("scope key " + scopeKey + " was found under scope fieldcrypt:scope-key:" + SCOPE
                            + ", not as a scope key of customer.email; refusing to use it");
            assertThat(cold.stats().decryptDataKeyCalls()).isZero();
        }
    }

    @Test
    void open_byColdEncryptor_unwrapsOnceAndReads() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);

        try (FieldEncryptor cold = FieldEncryptor.builder()
                .keyProvider(provider)
                .masterKeyId("k1")
                .dataKeyStore(store)
                .build()) {
            assertThat(cold.open(SCOPE, ROW_1, sealed)).isEqualTo(SSN);
            assertThat(cold.open(SCOPE, ROW_1, sealed)).isEqualTo(SSN);
            assertThat(cold.stats().decryptDataKeyCalls()).isEqualTo(1);
            assertThat(cold.stats().decryptionKeyMisses()).isEqualTo(1);
            assertThat(cold.stats().decryptionKeyHits()).isEqualTo(1);
        }
    }

    @Test
    void closed_sealAndOpen_refusedAndNoKeyMade() {
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);
        int keys = store.size();
        encryptor.close();

        assertThatThrownBy(() -> encryptor.seal("another.scope", ROW_1, SSN))
                .isInstanceOf(FieldCryptException.class)
                .hasMessage("the encryptor is closed");
        assertThatThrownBy(() -> encryptor.open(SCOPE, ROW_1, sealed))
                .isInstanceOf(FieldCryptException.class)
                .hasMessage("the encryptor is closed");
        assertThat(store.size()).isEqualTo(keys);
    }

    /** The check lives in the engine, so it holds for every key provider, not only the AWS one. */
    @Test
    void seal_providerMakesKeyUnderAnotherMasterKey_refusedAndNothingStored() {
        KeyProvider lying = new ForwardingKeyProvider(provider) {
            @Override
            public io.fieldcrypt.spi.GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> c) {
                var real = super.generateDataKey(masterKeyId, c);
                return new io.fieldcrypt.spi.GeneratedDataKey(
                        real.plaintext(),
                        new WrappedDataKey("k-other", real.wrapped().encryptedKey()));
            }
        };
        try (FieldEncryptor encryptor = FieldEncryptor.builder()
                .keyProvider(lying)
                .masterKeyId("k1")
                .dataKeyStore(store)
                .build()) {
            assertThatThrownBy(() -> encryptor.seal(SCOPE, ROW_1, SSN))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessage("key provider made a data key under master key k-other, but k1 was requested;"
                            + " refusing it")
                    .extracting(e -> ((KeyProviderException) e).reason())
                    .isEqualTo(KeyProviderException.Reason.WRONG_KEY);
            assertThat(store.size()).isZero();
        }
    }

    @Test
    void open_providerAnswersForAnotherMasterKey_refused() {
        KeyProvider lying = new ForwardingKeyProvider(provider) {
            @Override
            public io.fieldcrypt.spi.DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> c) {
                return new io.fieldcrypt.spi.DecryptedDataKey(
                        "k-other", super.decryptDataKey(wrapped, c).plaintext());
            }
        };
        byte[] sealed = encryptor.seal(SCOPE, ROW_1, SSN);
        long scopeKey = store.find(Envelope.parse(sealed).dataKeyId())
                .orElseThrow()
                .wrapped()
                .scopeKeyId()
                .orElseThrow();

        try (FieldEncryptor cold = FieldEncryptor.builder()
                .keyProvider(lying)
                .masterKeyId("k1")
                .dataKeyStore(store)
                .build()) {
            assertThatThrownBy(() -> cold.open(SCOPE, ROW_1, sealed))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessage("key provider unwrapped scope key " + scopeKey + " with master key k-other,"
                            + " but it is recorded under k1")
                    .extracting(e -> ((KeyProviderException) e).reason())
                    .isEqualTo(KeyProviderException.Reason.WRONG_KEY);
        }
    }

    @Test
    void build_unknownMasterKey_failsAtBuildWithNothingStored() {
        assertThatThrownBy(() -> FieldEncryptor.builder()
                        .keyProvider(provider)
                        .masterKeyId("nope")
                        .dataKeyStore(store)
                        .build())
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("master key nope cannot be used: local master key 'nope' is not configured;"
                        + " configured ids: [k1]");
        assertThatThrownBy(() -> FieldEncryptor.builder()
                        .keyProvider(provider)
                        .masterKeyId("k1")
                        .trustedMasterKeyIds(List.of("gone"))
                        .dataKeyStore(store)
                        .build())
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("master key gone cannot be used: local master key 'gone' is not configured;"
                        + " configured ids: [k1]");
        assertThat(store.size()).isZero();
    }

    @Test
    void build_missingParts_configurationErrors() {
        assertThatThrownBy(() -> FieldEncryptor.builder()
                        .masterKeyId("k1")
                        .dataKeyStore(store)
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("a key provider is required");
        assertThatThrownBy(() -> FieldEncryptor.builder()
                        .keyProvider(provider)
                        .dataKeyStore(store)
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("a master key id is required");
        assertThatThrownBy(() -> FieldEncryptor.builder()
                        .keyProvider(provider)
                        .masterKeyId("k1")
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("a data key store is required");
    }

    @Test
    void build_boundsOutOfRange_configurationErrors() {
        FieldEncryptor.Builder base =
                FieldEncryptor.builder().keyProvider(provider).masterKeyId("k1").dataKeyStore(store);

        assertThatThrownBy(() -> base.maxUses(0).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("maxUses must be between 1 and 2147483648, got 0");
        assertThatThrownBy(() -> base.maxUses(1L << 32).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("maxUses must be between 1 and 2147483648, got 4294967296");
        assertThatThrownBy(() -> base.maxUses(10).maxAge(Duration.ZERO).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("maxAge must be positive, got PT0S");
        assertThatThrownBy(() -> base.maxAge(Duration.ofMinutes(1))
                        .decryptionKeyCacheSize(0)
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("decryptionKeyCacheSize must be at least 1, got 0");
    }

    @Test
    void ticker_null_nullPointerNamingIt() {
        assertThatThrownBy(() -> FieldEncryptor.builder().ticker(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("nanoTicker");
    }

    @Test
    void defaults_keepEncryptionsPerKeyFarBelowNistLimit() {
        assertThat(FieldEncryptor.Builder.DEFAULT_MAX_USES).isLessThanOrEqualTo(1L << 24);
        assertThat(FieldEncryptor.Builder.DEFAULT_MAX_AGE).isEqualTo(Duration.ofMinutes(5));
    }
}
