package io.fieldcrypt.internal.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.KeyProviderException.Reason;
import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * What the AWS KMS provider must do against any endpoint that speaks the KMS protocol: the KMS wire server of the
 * tests always, LocalStack where Docker runs. Subclasses supply the client and create keys.
 */
abstract class AwsKmsKeyProviderContract {

    static final Map<String, String> CONTEXT = Map.of("fieldcrypt:scope", "customer.ssn");

    /** @return a client for the endpoint under test */
    abstract KmsClient client();

    /** @return the ARN of a new enabled symmetric key */
    abstract String createKey();

    /** Points {@code alias} at {@code keyArn}. */
    abstract void createAlias(String alias, String keyArn);

    /** Disables the key. */
    abstract void disableKey(String keyArn);

    KeyProvider provider() {
        return KeyProviders.awsKms(client());
    }

    @Test
    void generate_thenDecrypt_sameKeyRecordedUnderArn() {
        String arn = createKey();

        GeneratedDataKey generated = provider().generateDataKey(arn, CONTEXT);
        var decrypted = provider().decryptDataKey(generated.wrapped(), CONTEXT);

        assertThat(generated.wrapped().masterKeyId()).isEqualTo(arn);
        assertThat(generated.plaintext().lengthBytes()).isEqualTo(32);
        assertThat(decrypted.plaintext()).isEqualTo(generated.plaintext());
        assertThat(decrypted.masterKeyId()).isEqualTo(arn);
    }

    @Test
    void generate_underAlias_recordsTheKeyArn() {
        String arn = createKey();
        String alias = "alias/fieldcrypt-" + UUID.randomUUID();
        createAlias(alias, arn);
        KeyProvider provider = provider();

        GeneratedDataKey generated = provider.generateDataKey(alias, CONTEXT);

        assertThat(provider.canonicalMasterKeyId(alias)).isEqualTo(arn);
        assertThat(generated.wrapped().masterKeyId()).isEqualTo(arn);
        assertThat(provider.decryptDataKey(generated.wrapped(), CONTEXT).plaintext())
                .isEqualTo(generated.plaintext());
    }

    @Test
    void generate_underBareKeyId_recordsTheKeyArn() {
        String arn = createKey();
        String keyId = arn.substring(arn.indexOf(":key/") + 5);

        assertThat(provider().generateDataKey(keyId, CONTEXT).wrapped().masterKeyId())
                .isEqualTo(arn);
    }

    @Test
    void decrypt_otherContext_invalidCiphertext() {
        String arn = createKey();
        WrappedDataKey wrapped = provider().generateDataKey(arn, CONTEXT).wrapped();

        assertThatThrownBy(() -> provider().decryptDataKey(wrapped, Map.of("fieldcrypt:scope", "customer.email")))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS Decrypt for key " + arn + " refused: the encrypted data key or its encryption"
                        + " context is not what KMS issued")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.INVALID_CIPHERTEXT);
    }

    @Test
    void generate_disabledKey_keyDisabledWithFix() {
        String arn = createKey();
        disableKey(arn);

        assertThatThrownBy(() -> provider().generateDataKey(arn, CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS GenerateDataKey for key " + arn + " refused: the key is disabled or pending deletion;"
                        + " enable it in KMS, or configure another master key")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.KEY_DISABLED);
    }

    @Test
    void generate_unknownAlias_keyNotFound() {
        assertThatThrownBy(() -> provider().generateDataKey("alias/does-not-exist-" + UUID.randomUUID(), CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .hasMessageContaining("refused: no such key in this account and region; check the configured"
                        + " master key id and region")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.KEY_NOT_FOUND);
    }

    @Test
    void reEncrypt_toOtherKey_decryptsUnderIt() {
        String first = createKey();
        String second = createKey();
        GeneratedDataKey generated = provider().generateDataKey(first, CONTEXT);

        WrappedDataKey rewrapped = provider().reEncryptDataKey(generated.wrapped(), CONTEXT, second);

        assertThat(rewrapped.masterKeyId()).isEqualTo(second);
        var decrypted = provider().decryptDataKey(rewrapped, CONTEXT);
        assertThat(decrypted.plaintext()).isEqualTo(generated.plaintext());
        assertThat(decrypted.masterKeyId()).isEqualTo(second);
    }
}
