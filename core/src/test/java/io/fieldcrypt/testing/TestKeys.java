package io.fieldcrypt.testing;

import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.spi.KeyProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/** Local master keys for tests: fresh random keys, never constants that could end up in production. */
public final class TestKeys {

    private TestKeys() {}

    /** @return 32 random bytes; see {@link LocalMasterKeys#randomKey()} */
    public static byte[] randomKey() {
        return LocalMasterKeys.randomKey();
    }

    /**
     * @param ids master key ids
     * @return see {@link LocalMasterKeys#spec(String...)}
     */
    public static String localSpec(String... ids) {
        return LocalMasterKeys.spec(ids);
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
