package io.fieldcrypt.internal.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import io.fieldcrypt.testing.TestKeys;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalKeyProviderTest {

    private static final Map<String, String> CONTEXT = Map.of("fieldcrypt:scope", "customer.ssn");

    private final KeyProvider provider = TestKeys.localProvider("k1", "k2");

    @Test
    void generate_thenDecrypt_sameKey() {
        GeneratedDataKey generated = provider.generateDataKey("k1", CONTEXT);

        var decrypted = provider.decryptDataKey(generated.wrapped(), CONTEXT);

        assertThat(decrypted.plaintext()).isEqualTo(generated.plaintext());
        assertThat(decrypted.masterKeyId()).isEqualTo("k1");
        assertThat(generated.plaintext().lengthBytes()).isEqualTo(32);
        assertThat(generated.wrapped().masterKeyId()).isEqualTo("k1");
    }

    @Test
    void generate_twice_differentKeys() {
        assertThat(provider.generateDataKey("k1", CONTEXT).plaintext())
                .isNotEqualTo(provider.generateDataKey("k1", CONTEXT).plaintext());
    }

    @Test
    void decrypt_otherContext_invalidCiphertext() {
        WrappedDataKey wrapped = provider.generateDataKey("k1", CONTEXT).wrapped();

        assertThatThrownBy(() -> provider.decryptDataKey(wrapped, Map.of("fieldcrypt:scope", "customer.email")))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("local key provider could not unwrap a data key under master key 'k1': the wrapped key"
                        + " or its encryption context was altered")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(KeyProviderException.Reason.INVALID_CIPHERTEXT);
    }

    @Test
    void decrypt_claimedUnderOtherMasterKey_invalidCiphertext() {
        WrappedDataKey wrapped = provider.generateDataKey("k1", CONTEXT).wrapped();

        assertThatThrownBy(() -> provider.decryptDataKey(new WrappedDataKey("k2", wrapped.encryptedKey()), CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(KeyProviderException.Reason.INVALID_CIPHERTEXT);
    }

    @Test
    void decrypt_garbledBlob_invalidCiphertext() {
        assertThatThrownBy(() -> provider.decryptDataKey(new WrappedDataKey("k1", new byte[] {1, 2, 3}), CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(KeyProviderException.Reason.INVALID_CIPHERTEXT);
    }

    @Test
    void decrypt_unknownMasterKey_keyNotFound() {
        assertThatThrownBy(() -> provider.decryptDataKey(new WrappedDataKey("k9", new byte[61]), CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("local master key 'k9' is not configured; configured ids: [k1, k2]")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(KeyProviderException.Reason.KEY_NOT_FOUND);
    }

    @Test
    void reEncrypt_toOtherMasterKey_decryptsUnderItOnly() {
        GeneratedDataKey generated = provider.generateDataKey("k1", CONTEXT);

        WrappedDataKey rewrapped = provider.reEncryptDataKey(generated.wrapped(), CONTEXT, "k2");

        assertThat(rewrapped.masterKeyId()).isEqualTo("k2");
        assertThat(provider.decryptDataKey(rewrapped, CONTEXT).plaintext()).isEqualTo(generated.plaintext());
        assertThatThrownBy(() -> provider.decryptDataKey(new WrappedDataKey("k1", rewrapped.encryptedKey()), CONTEXT))
                .isInstanceOf(KeyProviderException.class);
    }

    @Test
    void canonicalMasterKeyId_knownId_isItself() {
        assertThat(provider.canonicalMasterKeyId("k2")).isEqualTo("k2");
        assertThatThrownBy(() -> provider.canonicalMasterKeyId("zz")).isInstanceOf(KeyProviderException.class);
    }

    @Test
    void toString_namesIdsOnly() {
        assertThat(provider.toString()).isEqualTo("LocalKeyProvider[masterKeys=[k1, k2]]");
    }
}
