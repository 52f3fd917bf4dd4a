package io.fieldcrypt.testing;

import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.spi.KeyProvider;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Local master keys for tests: fresh random keys, never constants that could end up in production. */
public final class TestKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeys() {
    }

    /**
     * @return 32 random bytes
     */
    public static byte[] randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * @param ids master key ids
     * @return the {@code fieldcrypt.local.master-keys} text for fresh random keys under those ids
     */
    public static String localSpec(String... ids) {
        StringBuilder spec = new StringBuilder();
        for (String id : ids) {
            spec.append(spec.length() == 0 ? "" : ",").append(id).append(':')
                    .append(Base64.getEncoder().encodeToString(randomKey()));
        }
        return spec.toString();
    }

    /**
     * @param ids master key ids
     * @return a local provider with a fresh random key under each id
     */
    public static KeyProvider localProvider(String... ids) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (String id : ids) {
            keys.put(id, randomKey());
        }
        return KeyProviders.local(keys);
    }
}
