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
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * A key provider on AWS KMS through the AWS SDK v2 {@link KmsClient}: {@code GenerateDataKey}, {@code Decrypt}
 * (always naming the key), {@code ReEncrypt}, and {@code DescribeKey} to resolve a configured key (key id, key ARN,
 * alias or alias ARN) to its ARN.
 *
 * <p>Every configured key, key ARNs included, is described once and its answer cached for the provider's life: the
 * key must exist, be {@code Enabled} (or {@code Updating}, a multi-Region key whose primary Region is changing, which
 * KMS still uses) and be a symmetric encryption key ({@code SYMMETRIC_DEFAULT}, {@code ENCRYPT_DECRYPT}). A refusal
 * is not cached, so a key enabled later resolves on the next call. Since the answer is cached, a key disabled after
 * it was resolved is refused by the cryptographic calls themselves.
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

    /**
     * Resolves a configured key to its ARN with {@code DescribeKey} on the first call for that id; later calls are
     * answered from the cache, without calling KMS.
     *
     * @throws KeyProviderException {@code KEY_NOT_FOUND} if there is no such key, {@code KEY_DISABLED} if it is
     *     disabled, pending deletion or pending import, {@code REJECTED} if it is not a symmetric encryption key,
     *     {@code UNAVAILABLE} if it is in a disconnected custom key store or still being created, or the reason of
     *     a failed {@code DescribeKey} call
     */
    @Override
    public String canonicalMasterKeyId(String masterKeyId) {
        String arn = arnsByConfiguredId.get(masterKeyId);
        return arn != null ? arn : arnsByConfiguredId.computeIfAbsent(masterKeyId, this::describe);
    }

    @Override
    public GeneratedDataKey generateDataKey(String masterKeyId, Map<String, String> encryptionContext) {
        GenerateDataKeyResponse response = call(
                "GenerateDataKey",
                masterKeyId,
                () -> kms.generateDataKey(
                        r -> r.keyId(masterKeyId).keySpec(DataKeySpec.AES_256).encryptionContext(encryptionContext)));
        DataKeyMaterial plaintext = takePlaintext(response.plaintext());
        try {
            String arn = requireExpectedKey("GenerateDataKey", masterKeyId, response.keyId());
            return new GeneratedDataKey(
                    plaintext, new WrappedDataKey(arn, response.ciphertextBlob().asByteArray()));
        } catch (RuntimeException e) {
            plaintext.destroy();
            throw e;
        }
    }

    @Override
    public DecryptedDataKey decryptDataKey(WrappedDataKey wrapped, Map<String, String> encryptionContext) {
        String keyId = wrapped.masterKeyId();
        DecryptResponse response = call(
                "Decrypt",
                keyId,
                () -> kms.decrypt(r -> r.keyId(keyId)
                        .ciphertextBlob(SdkBytes.fromByteArray(wrapped.encryptedKey()))
                        .encryptionContext(encryptionContext)));
        return new DecryptedDataKey(response.keyId(), takePlaintext(response.plaintext()));
    }

    @Override
    public WrappedDataKey reEncryptDataKey(
            WrappedDataKey wrapped, Map<String, String> encryptionContext, String destinationMasterKeyId) {
        String sourceKeyId = wrapped.masterKeyId();
        ReEncryptResponse response = call(
                "ReEncrypt",
                destinationMasterKeyId,
                () -> kms.reEncrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(wrapped.encryptedKey()))
                        .sourceKeyId(sourceKeyId)
                        .sourceEncryptionContext(encryptionContext)
                        .destinationKeyId(destinationMasterKeyId)
                        .destinationEncryptionContext(encryptionContext)));
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
            // An alias may have been pointed at another key since it was resolved: resolve it once more. A key ARN
            // always names the same key, so describing it again cannot change the answer.
            arnsByConfiguredId.remove(configured);
            if (answered != null && answered.equals(canonicalMasterKeyId(configured))) {
                LOG.info("master key {} now resolves to {}", configured, answered);
                return answered;
            }
        }
        throw wrongKey(operation, canonicalMasterKeyId(configured), answered);
    }

    private static KeyProviderException wrongKey(String operation, String expected, String answered) {
        return new KeyProviderException(
                Reason.WRONG_KEY,
                "KMS " + operation + " answered with key " + answered + " but key " + expected
                        + " was requested; refusing the answer");
    }

    private String describe(String masterKeyId) {
        KeyMetadata key = call("DescribeKey", masterKeyId, () -> kms.describeKey(r -> r.keyId(masterKeyId)))
                .keyMetadata();
        if (key == null || key.arn() == null) {
            throw new KeyProviderException(
                    Reason.REJECTED,
                    "KMS DescribeKey for key " + masterKeyId + " answered without the key's ARN; refusing the answer");
        }
        requireUsable(key);
        return key.arn();
    }

    /** Refuses a key that fieldcrypt cannot wrap data keys under: its type first, since enabling it would not help. */
    private static void requireUsable(KeyMetadata key) {
        String name = "KMS key " + key.arn();
        String fix = "; configure a symmetric encryption key (key spec SYMMETRIC_DEFAULT, key usage ENCRYPT_DECRYPT)";
        if (key.keyUsage() != KeyUsageType.ENCRYPT_DECRYPT) {
            throw new KeyProviderException(
                    Reason.REJECTED, name + " has key usage " + key.keyUsageAsString() + ", not ENCRYPT_DECRYPT" + fix);
        }
        if (key.keySpec() != KeySpec.SYMMETRIC_DEFAULT) {
            throw new KeyProviderException(
                    Reason.REJECTED, name + " has key spec " + key.keySpecAsString() + ", not SYMMETRIC_DEFAULT" + fix);
        }
        KeyState state = key.keyState();
        if (state == KeyState.ENABLED || state == KeyState.UPDATING) {
            return;
        }
        if (state == null) {
            throw new KeyProviderException(
                    Reason.KEY_DISABLED,
                    name + " reports no key state, not Enabled;" + " enable it or configure another key");
        }
        String is = name + " is " + key.keyStateAsString();
        throw switch (state) {
            case DISABLED -> new KeyProviderException(Reason.KEY_DISABLED, is + "; enable it or configure another key");
            case PENDING_DELETION, PENDING_REPLICA_DELETION ->
                new KeyProviderException(
                        Reason.KEY_DISABLED, is + "; cancel its deletion and enable it, or configure another key");
            case PENDING_IMPORT ->
                new KeyProviderException(
                        Reason.KEY_DISABLED, is + "; import its key material, or configure another key");
            case UNAVAILABLE ->
                new KeyProviderException(
                        Reason.UNAVAILABLE,
                        is + ": its custom key store is disconnected; connect the key store, or retry later");
            case CREATING -> new KeyProviderException(Reason.UNAVAILABLE, is + "; retry once it is Enabled");
            default ->
                new KeyProviderException(Reason.KEY_DISABLED, is + ", not Enabled; enable it or configure another key");
        };
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
