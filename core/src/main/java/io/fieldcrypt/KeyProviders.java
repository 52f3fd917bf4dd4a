package io.fieldcrypt;

import io.fieldcrypt.internal.kms.AwsKmsKeyProvider;
import io.fieldcrypt.internal.kms.LocalKeyProvider;
import io.fieldcrypt.spi.KeyProvider;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;

/** Factories of the built-in {@link KeyProvider}s. */
public final class KeyProviders {

    private static final Pattern LOCAL_KEY_ID = Pattern.compile("[A-Za-z0-9._/-]{1,128}");
    private static final String LOCAL_KEY_ID_RULE = "use 1 to 128 letters, digits, '.', '_', '/' or '-'";
    private static final int MASTER_KEY_BYTES = 32;

    private KeyProviders() {}

    /**
     * A provider on AWS KMS through a client the caller built and owns: its region, credentials, endpoint, retry
     * strategy and timeouts are used as they are, and closing the provider does not close it.
     *
     * @param kms the client
     * @return the provider
     */
    public static KeyProvider awsKms(KmsClient kms) {
        return new AwsKmsKeyProvider(Objects.requireNonNull(kms, "kms"), false);
    }

    /**
     * A provider on AWS KMS through a client built from {@code options}, with credentials from the SDK's default
     * chain and the SDK's standard retry strategy. Closing the provider closes the client.
     *
     * @param options region, endpoint, attempts and timeouts
     * @return the provider
     */
    public static KeyProvider awsKms(AwsKmsOptions options) {
        ClientOverrideConfiguration overrides = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(options.maxAttempts())
                        .build())
                .apiCallAttemptTimeout(options.attemptTimeout())
                .apiCallTimeout(options.callTimeout())
                .build();
        KmsClientBuilder builder = KmsClient.builder().overrideConfiguration(overrides);
        if (options.region() != null) {
            builder.region(Region.of(options.region()));
        }
        if (options.endpoint() != null) {
            builder.endpointOverride(options.endpoint());
        }
        try {
            return new AwsKmsKeyProvider(builder.build(), true);
        } catch (RuntimeException e) {
            throw new ConfigurationException(
                    "could not build a KMS client: " + e.getMessage() + " (configure a region, or set AWS_REGION)", e);
        }
    }

    /**
     * A provider whose master keys live in memory, for development and tests only.
     *
     * @param masterKeys master key ids and their 32-byte AES-256 keys; copied, so the caller may wipe its arrays
     * @return the provider
     * @throws ConfigurationException if there is no key, an id is malformed or a key is not 32 bytes; the message
     *     never names an id, since an id may be a key given in the wrong place: an entry is named by its position in
     *     the map's iteration order, counting from 1
     */
    public static KeyProvider local(Map<String, byte[]> masterKeys) {
        if (masterKeys.isEmpty()) {
            throw new ConfigurationException("the local key provider needs at least one master key");
        }
        int position = 0;
        for (Map.Entry<String, byte[]> entry : masterKeys.entrySet()) {
            position++;
            if (!isLocalKeyId(entry.getKey())) {
                throw new ConfigurationException(entryAt(position) + " has a malformed id: " + LOCAL_KEY_ID_RULE);
            }
            if (entry.getValue().length != MASTER_KEY_BYTES) {
                throw new ConfigurationException(entryAt(position) + " is " + entry.getValue().length
                        + " bytes; AES-256 needs exactly 32 (for example: openssl rand -base64 32)");
            }
        }
        return new LocalKeyProvider(masterKeys);
    }

    /**
     * A local provider from its text form {@code id:base64[,id:base64...]}, as in the setting
     * {@code fieldcrypt.local.master-keys}.
     *
     * @param spec the master keys; whitespace around entries is ignored
     * @return the provider
     * @throws ConfigurationException if the text is malformed; the message never repeats a key nor an id, since
     *     either may be a key written the wrong way round: entries are named by their position, counting from 1
     */
    public static KeyProvider local(String spec) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        Map<String, Integer> positionsById = new HashMap<>();
        try {
            int position = 0;
            for (String entry : Objects.requireNonNull(spec, "spec").split(",")) {
                position++;
                String trimmed = entry.trim();
                int colon = trimmed.indexOf(':');
                if (colon <= 0) {
                    throw new ConfigurationException("local master keys must be written id:base64[,id:base64...];"
                            + " entry " + position + " has no id before ':'");
                }
                String id = trimmed.substring(0, colon);
                if (!isLocalKeyId(id)) {
                    throw new ConfigurationException(entryAt(position) + " has a malformed id: " + LOCAL_KEY_ID_RULE
                            + " before the ':' and the base64 key after it");
                }
                Integer first = positionsById.putIfAbsent(id, position);
                if (first != null) {
                    throw new ConfigurationException(
                            "entries " + first + " and " + position + " of the local master keys have the same id");
                }
                try {
                    keys.put(
                            id,
                            Base64.getDecoder()
                                    .decode(trimmed.substring(colon + 1).trim()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException(entryAt(position) + " is not valid base64");
                }
            }
            return local(keys);
        } finally {
            keys.values().forEach(key -> Arrays.fill(key, (byte) 0));
        }
    }

    private static boolean isLocalKeyId(String id) {
        return id != null && LOCAL_KEY_ID.matcher(id).matches();
    }

    private static String entryAt(int position) {
        return "entry " + position + " of the local master keys";
    }
}
