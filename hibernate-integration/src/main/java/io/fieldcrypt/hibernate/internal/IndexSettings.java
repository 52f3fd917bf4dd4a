package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.BlindIndexSpec;
import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.BlindIndex;
import io.fieldcrypt.hibernate.FieldCryptSettings;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the settings say about one blind index, on top of its annotation: the definition the index has now, and during
 * a rotation the next one (a second column, written alongside) and which of the two queries use. Settings are named
 * {@code fieldcrypt.blind-index.<Entity.handle>.<property>}; see {@link FieldCryptSettings#BLIND_INDEX_PREFIX}.
 *
 * @param current the index as it is
 * @param next the index being introduced, or {@code null} outside a rotation
 * @param readNext whether the handle (and so every query) uses {@code next}
 */
record IndexSettings(Definition current, Definition next, boolean readNext) {

    /**
     * One definition of an index. Its table and column, key group, transform and length all go into the derivation
     * of its key ({@link #spec}), so two definitions that differ in any of them never produce matching values.
     *
     * @param column the column, as the mapping names it
     * @param keyGroup the shared key group, or empty for the index's own
     */
    record Definition(String column, String keyGroup, BlindIndex.Transform transform, int bits) {

        BlindIndexSpec spec(String table) {
            return IndexConverter.spec(table, column, keyGroup, transform, bits);
        }
    }

    private static final String COLUMN = "column";
    private static final String KEY_GROUP = "key-group";
    private static final String TRANSFORM = "transform";
    private static final String BITS = "bits";
    private static final String NEXT = "next.";
    private static final String READ = "read";

    /** @return the definition queries use, which the handle's column mapping follows */
    Definition mapped() {
        return readNext ? next : current;
    }

    /** @return the definition written alongside by fieldcrypt itself, or {@code null} outside a rotation */
    Definition unmapped() {
        return next == null ? null : readNext ? current : next;
    }

    /**
     * @param label the handle, {@code Entity.handle}
     * @param annotated the definition the mapping gives
     * @param values the factory's settings
     * @throws ConfigurationException naming the setting and what it must be
     */
    static IndexSettings of(String label, Definition annotated, Map<String, Object> values) {
        String prefix = FieldCryptSettings.BLIND_INDEX_PREFIX + label + ".";
        Definition current = definition(values, prefix, annotated, false);
        Definition next = null;
        if (Settings.text(values, prefix + NEXT + COLUMN) != null) {
            next = definition(values, prefix + NEXT, current, true);
            if (next.column().equalsIgnoreCase(current.column())) {
                throw new ConfigurationException(prefix + NEXT + COLUMN + " names " + next.column() + ", the column"
                        + " the index has now; the next index needs a column of its own (add it, NULL, next to "
                        + current.column() + ")");
            }
            if (next.equals(new Definition(next.column(), current.keyGroup(), current.transform(), current.bits()))
                    && !current.keyGroup().isEmpty()) {
                throw new ConfigurationException(prefix + NEXT + KEY_GROUP + " must be set: " + label + " shares key"
                        + " group " + current.keyGroup() + ", so a new column alone would not give the next index a"
                        + " new key");
            }
        } else {
            for (String property : new String[] {KEY_GROUP, TRANSFORM, BITS}) {
                if (Settings.text(values, prefix + NEXT + property) != null) {
                    throw new ConfigurationException(prefix + NEXT + property + " is set but " + prefix + NEXT + COLUMN
                            + " is not: a next index needs a column of its own");
                }
            }
        }
        String read = Settings.text(values, prefix + READ);
        boolean readNext = false;
        if (read != null) {
            switch (read.toLowerCase(Locale.ROOT)) {
                case "current" -> readNext = false;
                case "next" -> readNext = true;
                default -> throw Settings.invalid(prefix + READ, "current or next", read);
            }
        }
        if (readNext && next == null) {
            throw new ConfigurationException(prefix + READ + "=next, but no next index is configured: set " + prefix
                    + NEXT + COLUMN + " (the index queries should use), or remove " + prefix + READ);
        }
        return new IndexSettings(current, next, readNext);
    }

    private static Definition definition(
            Map<String, Object> values, String prefix, Definition fallback, boolean requireColumn) {
        String column = Settings.text(values, prefix + COLUMN);
        if (column == null && requireColumn) {
            throw new ConfigurationException(prefix + COLUMN + " is required");
        }
        if (column != null && !column.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw Settings.invalid(prefix + COLUMN, "a plain column name (letters, digits, '_')", column);
        }
        String keyGroup = Settings.text(values, prefix + KEY_GROUP);
        if (keyGroup != null && keyGroup.length() > BlindIndexSpec.MAX_KEY_GROUP_LENGTH) {
            throw Settings.invalid(
                    prefix + KEY_GROUP, "at most " + BlindIndexSpec.MAX_KEY_GROUP_LENGTH + " characters", keyGroup);
        }
        String transform = Settings.text(values, prefix + TRANSFORM);
        BlindIndex.Transform parsed = fallback.transform();
        if (transform != null) {
            try {
                parsed = BlindIndex.Transform.valueOf(transform.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Settings.invalid(prefix + TRANSFORM, "one of NONE, CASEFOLD, TRIM_CASEFOLD, DIGITS", transform);
            }
        }
        String bits = Settings.text(values, prefix + BITS);
        int parsedBits = fallback.bits();
        if (bits != null) {
            try {
                parsedBits = Integer.parseInt(bits);
            } catch (NumberFormatException e) {
                parsedBits = -1;
            }
            if (parsedBits < 1 || parsedBits > BlindIndexSpec.MAX_BITS) {
                throw Settings.invalid(prefix + BITS, "a whole number from 1 to " + BlindIndexSpec.MAX_BITS, bits);
            }
        }
        return new Definition(
                column != null ? column : fallback.column(),
                keyGroup != null ? keyGroup : fallback.keyGroup(),
                parsed,
                parsedBits);
    }

    /**
     * Refuses settings under {@link FieldCryptSettings#BLIND_INDEX_PREFIX} that name no handle of the factory, so that
     * a misspelt handle does not silently leave a rotation unconfigured.
     *
     * @param handles the factory's handles, {@code Entity.handle}
     */
    static void refuseUnknown(Map<String, Object> values, Collection<String> handles) {
        for (String key : values.keySet()) {
            if (!key.startsWith(FieldCryptSettings.BLIND_INDEX_PREFIX)) {
                continue;
            }
            String rest = key.substring(FieldCryptSettings.BLIND_INDEX_PREFIX.length());
            boolean known = handles.stream().anyMatch(handle -> {
                if (!rest.startsWith(handle + ".")) {
                    return false;
                }
                String property = rest.substring(handle.length() + 1);
                return property.equals(READ)
                        || property.equals(COLUMN)
                        || property.equals(KEY_GROUP)
                        || property.equals(TRANSFORM)
                        || property.equals(BITS)
                        || property.equals(NEXT + COLUMN)
                        || property.equals(NEXT + KEY_GROUP)
                        || property.equals(NEXT + TRANSFORM)
                        || property.equals(NEXT + BITS);
            });
            if (!known) {
                throw new ConfigurationException(key + " names no blind index setting of this factory: use "
                        + FieldCryptSettings.BLIND_INDEX_PREFIX + "<Entity.handle>.<column|key-group|transform|bits|"
                        + "read|next.column|next.key-group|next.transform|next.bits>, where the handles are "
                        + new TreeSet<>(handles));
            }
        }
    }
}
