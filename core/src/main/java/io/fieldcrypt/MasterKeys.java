package io.fieldcrypt;

import io.fieldcrypt.spi.KeyProvider;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master keys an encryptor may use: the current one, which new data keys are made under, and the further ones
 * it trusts to unwrap data keys made earlier. A data key row naming any other master key is refused, whatever the
 * key provider could decrypt: the data key table is evidence, not truth.
 *
 * <p>Configured ids (for AWS KMS a key id, key ARN, alias or alias ARN) are resolved to the canonical ids that data
 * key rows record (key ARNs) through the key provider, once: eagerly at build where the provider answers, otherwise
 * at first use. The current key is resolved on every check through the provider's own cache, so an alias pointed
 * at a new key keeps being trusted as the current key. Thread-safe.
 */
final class MasterKeys {

    private static final Logger LOG = LoggerFactory.getLogger(MasterKeys.class);

    private final KeyProvider provider;
    private final String current;
    private final List<String> trusted;
    private volatile Set<String> resolvedTrusted;

    MasterKeys(KeyProvider provider, String current, Set<String> trusted) {
        this.provider = provider;
        this.current = current;
        this.trusted = List.copyOf(trusted);
    }

    /**
     * Resolves every configured id now. A key that does not exist, is disabled or may not be used fails; a key
     * provider that cannot be reached (unavailable, throttled) is logged and the ids are resolved at first use.
     *
     * @throws KeyProviderException naming the configured id that cannot be used
     */
    void resolveEagerly() {
        try {
            currentCanonical();
            resolvedTrusted();
        } catch (KeyProviderException e) {
            if (e.reason().retryable()) {
                LOG.warn("master keys could not be resolved now ({}); they will be resolved at first use", e.reason());
                return;
            }
            throw e;
        }
    }

    /** @return the configured current master key id, as configured */
    String current() {
        return current;
    }

    /** @return the canonical id of the current master key */
    String currentCanonical() {
        return resolve(current);
    }

    /**
     * @param canonicalId a master key id as a data key row records it
     * @return whether data keys wrapped under it may be unwrapped
     */
    boolean trusts(String canonicalId) {
        return canonicalId.equals(currentCanonical()) || resolvedTrusted().contains(canonicalId);
    }

    /** @return the canonical ids of every trusted master key, the current one first */
    Set<String> canonicalIds() {
        Set<String> ids = new LinkedHashSet<>();
        ids.add(currentCanonical());
        ids.addAll(resolvedTrusted());
        return ids;
    }

    private Set<String> resolvedTrusted() {
        Set<String> resolved = resolvedTrusted;
        if (resolved == null) {
            Set<String> ids = new LinkedHashSet<>();
            for (String id : trusted) {
                ids.add(resolve(id));
            }
            resolved = Set.copyOf(ids);
            resolvedTrusted = resolved;
        }
        return resolved;
    }

    private String resolve(String configured) {
        try {
            return provider.canonicalMasterKeyId(configured);
        } catch (KeyProviderException e) {
            throw new KeyProviderException(
                    e.reason(), "master key " + configured + " cannot be used: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "MasterKeys[current=" + current + ", trusted=" + trusted + "]";
    }
}
