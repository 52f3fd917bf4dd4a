package io.fieldcrypt;

import java.util.Objects;

/**
 * Which blind index a keyed hash is computed for. Everything here goes into the derivation of the index's key, so a
 * change to any of it is a new index whose values never match the old ones, rather than a silent mismatch.
 *
 * @param keyGroup the root key the index key is derived from, stored wrapped in the data key table; indexes of one
 *     group share a root key (by default each index is a group of its own)
 * @param name what distinguishes this index within its group (the integration uses table, column and transform);
 *     indexes of one group with the same name, transform and length produce equal values for equal inputs, which
 *     is what sharing a group is for
 * @param bits the length of the index values, 1 to 256 bits; values are {@code ceil(bits / 8)} bytes with the
 *     unused low bits of the last byte zero
 */
public record BlindIndexSpec(String keyGroup, String name, int bits) {

    /** The longest index: all of HMAC-SHA-256. */
    public static final int MAX_BITS = 256;

    /** The longest key group name, so that its scope fits the data key table's {@code scope} column. */
    public static final int MAX_KEY_GROUP_LENGTH = 400;

    /**
     * @throws NullPointerException if a name is null
     * @throws IllegalArgumentException if a name is blank or too long, or {@code bits} is out of range
     */
    public BlindIndexSpec {
        Objects.requireNonNull(keyGroup, "keyGroup");
        Objects.requireNonNull(name, "name");
        if (keyGroup.isBlank() || keyGroup.length() > MAX_KEY_GROUP_LENGTH) {
            throw new IllegalArgumentException("a blind index key group needs 1 to " + MAX_KEY_GROUP_LENGTH
                    + " characters, got '" + keyGroup + "'");
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("a blind index needs a name");
        }
        if (bits < 1 || bits > MAX_BITS) {
            throw new IllegalArgumentException(
                    "a blind index has 1 to " + MAX_BITS + " bits, got " + bits + " for " + name);
        }
    }

    /** @return the data key table scope of the group's root key: {@code fieldcrypt:blind-index:<keyGroup>} */
    public String rootScope() {
        return BlindIndexKeys.scope(keyGroup);
    }

    /** @return how many bytes an index value has */
    public int bytes() {
        return (bits + 7) / 8;
    }
}
