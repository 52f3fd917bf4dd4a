package io.fieldcrypt.internal.kms;

import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.KeyProviderException.Reason;
import io.fieldcrypt.spi.DataKeyMaterial;
import io.fieldcrypt.spi.DecryptedDataKey;
import io.fieldcrypt.spi.GeneratedDataKey;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * A key provider on AWS KMS through the AWS SDK v2 {@link KmsClient}: {@code GenerateDataKey}, {@code Decrypt}
 * (always naming the key), {@code ReEncrypt}, and {@code DescribeKey} to resolve a key id or alias to its ARN.
 *
 * <p>Every answer is checked against the key that was asked for: KMS must report the ARN the configured key
 * resolves to. An alias re-pointed at another key is resolved again once before a mismatch is refused. Failures are
 * reported as {@link KeyProviderException}s (see {@link KmsErrors}). Retries are the client's: its retry strategy
 * decides how throttling and server errors are retried.
 */
public final class AwsKmsKeyProvider implements KeyProvider {

    private static final Logger LOG = LoggerFactory.getLogger(AwsKmsKeyProvider.class);

    private final KmsClient kms;
    private final boolean ownsClient;
    private final Map<String, String> arnsByConfiguredId = new ConcurrentHashMap<>();

    /**
     * @param kms the client to call
     * @param ownsClient whether {@link #close()} closes the client
     */
    public AwsKmsKeyProvider(KmsClient kms, boolean ownsClient) {
        this.kms = kms;
        this.ownsClient = ownsClient;
    }

    @Override
    public String canonicalMasterKeyId(String masterKeyId) {
        if (isKeyArn(masterKeyId)) {
            return masterKeyId;
        }
        return arnsByConfiguredId.computeIfAbsent(masterKeyId, this::describe);
    }

    @Override
    public GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> encryptionContext) {
        GenerateDataKeyResponse response = call("GenerateDataKey", masterKeyId, () -> kms.generateDataKey(r -> r
                .keyId(masterKeyId).keySpec(DataKeySpec.AES_256).encryptionContext(encryptionContext)));
        DataKeyMaterial plaintext = takePlaintext(response.plaintext());
        try {
            String arn = requireExpectedKey("GenerateDataKey", masterKeyId, response.keyId());
            return new GeneratedDataKey(plaintext, new WrappedDataKey(arn, response.ciphertextBlob().asByteArray()));
        } catch (RuntimeException e) {
            plaintext.destroy();
            throw e;
        }
    }

    @Override
    public DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> encryptionContext) {
        String keyId = wrapped.masterKeyId();
        DecryptResponse response = call("Decrypt", keyId, () -> kms.decrypt(r -> r.keyId(keyId)
                .ciphertextBlob(SdkBytes.fromByteArray(wrapped.encryptedKey())).encryptionContext(encryptionContext)));
        return new DecryptedDataKey(response.keyId(), takePlaintext(response.plaintext()));
    }

    @Override
    public WrappedDataKey reEncryptDataKey(WrappedDataKey wrapped, Map<String, String> encryptionContext,
            String destinationMasterKeyId) {
        String sourceKeyId = wrapped.masterKeyId();
        ReEncryptResponse response = call("ReEncrypt", destinationMasterKeyId, () -> kms.reEncrypt(r -> r
                .ciphertextBlob(SdkBytes.fromByteArray(wrapped.encryptedKey()))
                .sourceKeyId(sourceKeyId).sourceEncryptionContext(encryptionContext)
                .destinationKeyId(destinationMasterKeyId).destinationEncryptionContext(encryptionContext)));
        if (!sourceKeyId.equals(response.sourceKeyId())) {
            throw wrongKey("ReEncrypt", sourceKeyId, response.sourceKeyId());
        }
        String arn = requireExpectedKey("ReEncrypt", destinationMasterKeyId, response.keyId());
        return new WrappedDataKey(arn, response.ciphertextBlob().asByteArray());
    }

    private String requireExpectedKey(String operation, String configured, String answered) {
        if (answered != null && answered.equals(canonicalMasterKeyId(configured))) {
            return answered;
        }
        if (!isKeyArn(configured)) {
            // An alias may have been pointed at another key since it was resolved: resolve it once more.
            arnsByConfiguredId.remove(configured);
            if (answered != null && answered.equals(canonicalMasterKeyId(configured))) {
                LOG.info("master key {} now resolves to {}", configured, answered);
                return answered;
            }
        }
        throw wrongKey(operation, canonicalMasterKeyId(configured), answered);
    }

    private static KeyProviderException wrongKey(String operation, String expected, String answered) {
        return new KeyProviderException(Reason.WRONG_KEY, "KMS " + operation + " answered with key " + answered
                + " but key " + expected + " was requested; refusing the answer");
    }

    private String describe(String masterKeyId) {
        return call("DescribeKey", masterKeyId, () -> kms.describeKey(r -> r.keyId(masterKeyId)))
                .keyMetadata().arn();
    }

    private static <T> T call(String operation, String keyId, Supplier<T> request) {
        try {
            return request.get();
        } catch (SdkException e) {
            throw KmsErrors.translate(operation, keyId, e);
        }
    }

    private static DataKeyMaterial takePlaintext(SdkBytes plaintext) {
        if (plaintext == null) {
            throw new KeyProviderException(Reason.REJECTED, "KMS returned no plaintext data key");
        }
        byte[] bytes = plaintext.asByteArrayUnsafe();
        try {
            return DataKeyMaterial.copyOf(bytes);
        } catch (IllegalArgumentException e) {
            throw new KeyProviderException(Reason.REJECTED, "KMS returned a data key of " + bytes.length + " bytes");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static boolean isKeyArn(String id) {
        return id.startsWith("arn:") && id.contains(":key/");
    }

    @Override
    public void close() {
        if (ownsClient) {
            kms.close();
        }
    }

    @Override
    public String toString() {
        return "AwsKmsKeyProvider[" + kms.serviceClientConfiguration().region() + "]";
    }
}
