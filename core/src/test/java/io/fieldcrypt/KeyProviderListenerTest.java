package io.fieldcrypt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.KeyProviderCall;
import io.fieldcrypt.spi.WrappedDataKey;
import io.fieldcrypt.testing.ForwardingKeyProvider;
import io.fieldcrypt.testing.InMemoryDataKeyStore;
import io.fieldcrypt.testing.TestKeys;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The key provider listener hears every call that reaches the master key, with its outcome, and cannot break one. */
class KeyProviderListenerTest {

    private static final FieldContext ROW = FieldContext.of("Customer", "customer", "ssn", "1");

    private final InMemoryDataKeyStore store = new InMemoryDataKeyStore();
    private final AtomicBoolean throttled = new AtomicBoolean();
    private final KeyProvider provider = new ForwardingKeyProvider(TestKeys.localProvider("k1")) {
        @Override
        public DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> encryptionContext) {
            if (throttled.get()) {
                throw new KeyProviderException(KeyProviderException.Reason.THROTTLED, "slow down");
            }
            return super.decryptDataKey(wrapped, encryptionContext);
        }
    };

    @Test
    void everyCall_isHeardWithItsOperationAndOutcome() {
        List<KeyProviderCall> calls = new CopyOnWriteArrayList<>();
        byte[] sealed;
        try (FieldEncryptor writer = encryptor(calls::add)) {
            sealed = writer.seal("customer.ssn", ROW, "123".getBytes(UTF_8));
            writer.seal("customer.ssn", ROW, "456".getBytes(UTF_8));
        }
        throttled.set(true);
        try (FieldEncryptor cold = encryptor(calls::add)) {
            assertThatThrownBy(() -> cold.open("customer.ssn", ROW, sealed)).isInstanceOf(KeyProviderException.class);
        }
        throttled.set(false);
        try (FieldEncryptor cold = encryptor(calls::add)) {
            assertThat(cold.open("customer.ssn", ROW, sealed)).isEqualTo("123".getBytes(UTF_8));
        }

        assertThat(calls)
                .extracting(KeyProviderCall::operation, KeyProviderCall::outcome)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(KeyProviderCall.GENERATE_DATA_KEY, "success"),
                        org.assertj.core.groups.Tuple.tuple(KeyProviderCall.DECRYPT, "throttled"),
                        org.assertj.core.groups.Tuple.tuple(KeyProviderCall.DECRYPT, "success"));
        assertThat(calls).allSatisfy(call -> assertThat(call.duration()).isPositive());
    }

    @Test
    void aFailingListener_changesNoOutcome() {
        try (FieldEncryptor encryptor = encryptor(call -> {
            throw new IllegalStateException("listener bug");
        })) {
            byte[] sealed = encryptor.seal("customer.ssn", ROW, "123".getBytes(UTF_8));

            assertThat(encryptor.open("customer.ssn", ROW, sealed)).isEqualTo("123".getBytes(UTF_8));
        }
    }

    private FieldEncryptor encryptor(io.fieldcrypt.spi.KeyProviderListener listener) {
        return FieldEncryptor.builder()
                .keyProvider(provider)
                .masterKeyId("k1")
                .dataKeyStore(store)
                .keyProviderListener(listener)
                .build();
    }
}
