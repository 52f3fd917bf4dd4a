package io.fieldcrypt.testing;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Master keys for fieldcrypt's local key provider in tests: fresh random keys, never constants that could end up in
 * production.
 *
 * <pre>{@code
 * settings.put("fieldcrypt.kms.provider", "local");
 * settings.put("fieldcrypt.local.master-keys", LocalMasterKeys.spec("k1"));
 * settings.put("fieldcrypt.kms.key-id", "k1");
 * }</pre>
 */
public final class LocalMasterKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private LocalMasterKeys() {}

    /**
     * @return 32 random bytes, an AES-256 key
     */
    public static byte[] randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * @param ids master key ids
     * @return the {@code fieldcrypt.local.master-keys} text ({@code id:base64,...}) for fresh random keys under those
     *     ids
     */
    public static String spec(String... ids) {
        StringBuilder spec = new StringBuilder();
        for (String id : ids) {
            spec.append(spec.length() == 0 ? "" : ",")
                    .append(id)
                    .append(':')
                    .append(Base64.getEncoder().encodeToString(randomKey()));
        }
        return spec.toString();
    }
}
