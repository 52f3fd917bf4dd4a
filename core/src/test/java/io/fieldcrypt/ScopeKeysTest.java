package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.spi.DataKeyState;
import io.fieldcrypt.spi.StoredDataKey;
import io.fieldcrypt.spi.WrappedDataKey;
import io.fieldcrypt.testing.FakeTicker;
import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The key hierarchy: data keys made locally and wrapped under a shared scope key, which alone the key provider
 * makes and unwraps. How many key provider calls it takes, and that a data key row is trusted only through a scope
 * key of its own scope.
 */
class ScopeKeysTest {

    private static final String SCOPE = "customer.ssn";
    private static final FieldContext ROW = FieldContext.of("Customer", "customer", "ssn", "7");
    private static final byte[] VALUE = "123-45-6789".getBytes(UTF_8);

    private final FakeTicker ticker = new FakeTicker();
    private final DataKeyCacheTest.RecordingKeyProvider provider =
            new DataKeyCacheTest.RecordingKeyProvider(TestKeys.localProvider("k1", "k2"));
    private final InMemoryDataKeyStore store = new InMemoryDataKeyStore();
    private final List<FieldEncryptor> encryptors = new ArrayList<>();

    @AfterEach
    void close() {
        encryptors.forEach(FieldEncryptor::close);
    }

    private FieldEncryptor instance(String masterKeyId) {
        FieldEncryptor encryptor = FieldEncryptor.builder()
                .keyProvider(provider)
                .masterKeyId(masterKeyId)
                .trustedMasterKeyIds(List.of("k1", "k2"))
                .dataKeyStore(store)
                .ticker(ticker)
                .maxAge(Duration.ofMinutes(5))
                .decryptionKeyMaxAge(Duration.ofMinutes(5))
                .build();
        encryptors.add(encryptor);
        return encryptor;
    }

    @Test
    void manyInstancesAndKeyAges_oneGenerateCallPerScope_andOneUnwrapPerInstanceForAllItsKeys() {
        List<FieldEncryptor> fleet = List.of(instance("k1"), instance("k1"), instance("k1"));
        List<byte[]> sealed = new ArrayList<>();
        for (int minute = 0; minute < 4; minute++) {
            for (FieldEncryptor instance : fleet) {
                sealed.add(instance.seal(SCOPE, ROW, VALUE));
            }
            ticker.advance(Duration.ofMinutes(5).plusSeconds(1));
        }

        assertThat(sealed).extracting(s -> Envelope.parse(s).dataKeyId()).doesNotHaveDuplicates();
        assertThat(fleet.stream()
                        .mapToLong(i -> i.stats().generateDataKeyCalls())
                        .sum())
                .isEqualTo(1);
        FieldEncryptor reader = instance("k1");
        for (byte[] value : sealed) {
            assertThat(reader.open(SCOPE, ROW, value)).isEqualTo(VALUE);
        }
        assertThat(reader.stats().decryptDataKeyCalls())
                .as("twelve data keys, one scope key")
                .isEqualTo(1);
    }

    @Test
    void newMasterKey_newScopeKeyUnderIt_valuesUnderTheOldOneStillOpen() {
        byte[] old = instance("k1").seal(SCOPE, ROW, VALUE);

        FieldEncryptor rotated = instance("k2");
        byte[] fresh = rotated.seal(SCOPE, ROW, VALUE);

        assertThat(scopeKeyOf(fresh).wrapped().masterKeyId()).isEqualTo("k2");
        assertThat(scopeKeyOf(old).wrapped().masterKeyId()).isEqualTo("k1");
        assertThat(rotated.open(SCOPE, ROW, old)).isEqualTo(VALUE);
    }

    /**
     * After a move to a new master key and a rewrap, someone who can write the table (and may hold the old scope key
     * from a memory dump) offers the old scope key as current again: it is never used to wrap new data keys.
     */
    @Test
    void oldScopeKeyRewrappedThenOfferedAsCurrent_neverWrapsNewDataKeys() {
        byte[] old = instance("k1").seal(SCOPE, ROW, VALUE);
        StoredDataKey oldScopeKey = scopeKeyOf(old);
        FieldEncryptor rotated = instance("k2");
        byte[] fresh = rotated.seal(SCOPE, ROW, VALUE);
        long newScopeKey = scopeKeyOf(fresh).id();
        rotated.dataKeys().rewrap(java.util.Set.of(SCOPE));
        assertThat(store.find(oldScopeKey.id()).orElseThrow().wrapped().masterKeyId())
                .isEqualTo("k2");

        // The honest lookup ignores it: it records another master key it was made under.
        store.retireActive(List.of(SCOPE));
        store.retire(newScopeKey);
        FieldEncryptor next = instance("k2");
        byte[] later = next.seal(SCOPE, ROW, VALUE);
        assertThat(scopeKeyOf(later).id()).isNotIn(oldScopeKey.id(), newScopeKey);

        // Rewriting its recorded context to claim the current master key makes the key provider refuse it.
        StoredDataKey rewrapped = store.find(oldScopeKey.id()).orElseThrow();
        store.overwrite(new StoredDataKey(
                rewrapped.id(),
                rewrapped.scope(),
                rewrapped.wrapped(),
                Map.of("fieldcrypt:purpose", "scope-key", "fieldcrypt:scope", SCOPE, "fieldcrypt:made-under", "k2"),
                DataKeyState.ACTIVE,
                rewrapped.createdAt(),
                rewrapped.expiresAt(),
                null));
        store.retireActive(List.of(SCOPE));
        store.retire(scopeKeyOf(later).id());
        FieldEncryptor fooled = instance("k2");
        assertThatThrownBy(() -> fooled.seal(SCOPE, ROW, VALUE))
                .isInstanceOf(DecryptionException.class)
                .hasMessageContaining("scope key " + oldScopeKey.id() + " could not be unwrapped under master key k2");
        assertThat(fooled.open(SCOPE, ROW, fresh)).isEqualTo(VALUE);
    }

    @Test
    void wrappedKeyCopiedIntoAnotherScopesRowUnderThatScopesScopeKey_refused() {
        FieldEncryptor encryptor = instance("k1");
        byte[] ssn = encryptor.seal(SCOPE, ROW, VALUE);
        byte[] email = encryptor.seal("customer.email", ROW, VALUE);
        StoredDataKey emailKey = dataKeyOf(email);
        StoredDataKey ssnKey = dataKeyOf(ssn);
        // The attacker keeps the email row's scope and scope key, but puts the ssn key's wrapped bytes in it.
        store.overwrite(withWrapped(
                emailKey,
                WrappedDataKey.underScopeKey(
                        emailKey.wrapped().scopeKeyId().orElseThrow(),
                        ssnKey.wrapped().encryptedKey())));

        assertThatThrownBy(() -> instance("k1").open("customer.email", ROW, email))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("data key " + emailKey.id() + " could not be unwrapped under scope key "
                        + emailKey.wrapped().scopeKeyId().orElseThrow()
                        + ": its stored form, scope or scope key was altered");
    }

    @Test
    void dataKeyRowPointingAtAnotherScopesScopeKey_refusedBeforeAnyKeyProviderCall() {
        FieldEncryptor encryptor = instance("k1");
        byte[] ssn = encryptor.seal(SCOPE, ROW, VALUE);
        byte[] email = encryptor.seal("customer.email", ROW, VALUE);
        StoredDataKey ssnKey = dataKeyOf(ssn);
        long emailScopeKey = dataKeyOf(email).wrapped().scopeKeyId().orElseThrow();
        store.overwrite(withWrapped(
                ssnKey,
                WrappedDataKey.underScopeKey(emailScopeKey, ssnKey.wrapped().encryptedKey())));

        FieldEncryptor cold = instance("k1");
        assertThatThrownBy(() -> cold.open(SCOPE, ROW, ssn))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("scope key " + emailScopeKey + " was found under scope fieldcrypt:scope-key:customer.email,"
                        + " not as a scope key of " + SCOPE + "; refusing to use it");
        assertThat(cold.stats().decryptDataKeyCalls()).isZero();
    }

    @Test
    void dataKeyRowPointingAtADataKey_refused() {
        FieldEncryptor encryptor = instance("k1");
        byte[] first = encryptor.seal(SCOPE, ROW, VALUE);
        ticker.advance(Duration.ofMinutes(5).plusSeconds(1));
        byte[] second = encryptor.seal(SCOPE, ROW, VALUE);
        StoredDataKey secondKey = dataKeyOf(second);
        // A data key as the "scope key" of another: its plaintext would be known to whoever can open the first.
        store.overwrite(withWrapped(
                secondKey,
                WrappedDataKey.underScopeKey(
                        Envelope.parse(first).dataKeyId(), secondKey.wrapped().encryptedKey())));

        assertThatThrownBy(() -> instance("k1").open(SCOPE, ROW, second))
                .isInstanceOf(DecryptionException.class)
                .hasMessageContaining("not as a scope key of " + SCOPE);
    }

    @Test
    void scopeKeyUnderAnUntrustedMasterKey_refusedWithoutKeyProviderCall() {
        byte[] sealed = instance("k1").seal(SCOPE, ROW, VALUE);
        StoredDataKey scopeKey = scopeKeyOf(sealed);
        store.overwrite(withWrapped(
                scopeKey, new WrappedDataKey("attacker", scopeKey.wrapped().encryptedKey())));

        FieldEncryptor cold = instance("k1");
        assertThatThrownBy(() -> cold.open(SCOPE, ROW, sealed))
                .isInstanceOf(DecryptionException.class)
                .hasMessageContaining("is wrapped under master key attacker, which is not a trusted master key");
        assertThat(cold.stats().decryptDataKeyCalls()).isZero();
    }

    @Test
    void envelopeNamingAScopeKey_refused_alsoWhenTheRowIsRelabelledAsADataKeyOfItsScope() {
        byte[] sealed = instance("k1").seal(SCOPE, ROW, VALUE);
        StoredDataKey scopeKey = scopeKeyOf(sealed);
        byte[] pointing = withDataKeyId(sealed, scopeKey.id());

        assertThatThrownBy(() -> instance("k1").open(SCOPE, ROW, pointing))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("key " + scopeKey.id() + " of scope fieldcrypt:scope-key:" + SCOPE
                        + " is not a data key; refusing to use it");

        // Same wrapped bytes, recorded as a plain data key of the scope: KMS binds it to the scope key's context.
        store.overwrite(new StoredDataKey(
                scopeKey.id(),
                SCOPE,
                scopeKey.wrapped(),
                Map.of("fieldcrypt:scope", SCOPE),
                DataKeyState.ACTIVE,
                scopeKey.createdAt(),
                scopeKey.expiresAt(),
                null));

        assertThatThrownBy(() -> instance("k1").open(SCOPE, ROW, pointing))
                .isInstanceOf(DecryptionException.class)
                .hasMessage("data key " + scopeKey.id() + " could not be unwrapped under master key k1: its stored"
                        + " form or encryption context was altered");
    }

    @Test
    void scopeKeyDeleted_valuesUnderItReportTheMissingKey() {
        byte[] sealed = instance("k1").seal(SCOPE, ROW, VALUE);
        StoredDataKey scopeKey = scopeKeyOf(sealed);
        // What a destroy that ignored the hierarchy would do; the store's own delete keeps such a key.
        store.remove(scopeKey.id());

        assertThatThrownBy(() -> instance("k1").open(SCOPE, ROW, sealed))
                .isInstanceOf(DataKeyNotFoundException.class)
                .hasMessageContaining(String.valueOf(scopeKey.id()));
    }

    @Test
    void rotationBetweenFindingTheScopeKeyAndStoringTheDataKey_dataKeyMadeUnderTheNewScopeKey() {
        FieldEncryptor encryptor = instance("k1");
        byte[] before = encryptor.seal(SCOPE, ROW, VALUE);
        long oldScopeKey = scopeKeyOf(before).id();
        // Another process retires the scope's keys; this one still holds the old scope key unwrapped.
        store.retireActive(List.of(SCOPE, ScopeKeys.scope(SCOPE)));
        ticker.advance(Duration.ofMinutes(5).plusSeconds(1));

        byte[] after = encryptor.seal(SCOPE, ROW, VALUE);

        assertThat(scopeKeyOf(after).id()).isNotEqualTo(oldScopeKey);
        assertThat(scopeKeyOf(after).state()).isEqualTo(DataKeyState.ACTIVE);
    }

    @Test
    void insertUnderARetiredScopeKey_refusedByTheStore() {
        byte[] sealed = instance("k1").seal(SCOPE, ROW, VALUE);
        StoredDataKey scopeKey = scopeKeyOf(sealed);
        store.retireActive(List.of(ScopeKeys.scope(SCOPE)));

        assertThatThrownBy(() -> store.insert(
                        SCOPE,
                        WrappedDataKey.underScopeKey(scopeKey.id(), new byte[ScopeKeys.WRAPPED_BYTES]),
                        Map.of("fieldcrypt:scope", SCOPE),
                        Duration.ofMinutes(5)))
                .isInstanceOf(InactiveScopeKeyException.class);
    }

    private StoredDataKey dataKeyOf(byte[] sealed) {
        return store.find(Envelope.parse(sealed).dataKeyId()).orElseThrow();
    }

    private StoredDataKey scopeKeyOf(byte[] sealed) {
        return store.find(dataKeyOf(sealed).wrapped().scopeKeyId().orElseThrow())
                .orElseThrow();
    }

    private static StoredDataKey withWrapped(StoredDataKey row, WrappedDataKey wrapped) {
        return new StoredDataKey(
                row.id(),
                row.scope(),
                wrapped,
                row.encryptionContext(),
                row.state(),
                row.createdAt(),
                row.expiresAt(),
                row.retiredAt());
    }

    private static byte[] withDataKeyId(byte[] sealed, long id) {
        Envelope envelope = Envelope.parse(sealed);
        byte[] bytes = envelope.bytes();
        int offset = Envelope.DATA_KEY_ID_OFFSET;
        for (int i = 7; i >= 0; i--) {
            bytes[offset + i] = (byte) id;
            id >>>= 8;
        }
        return bytes;
    }
}
