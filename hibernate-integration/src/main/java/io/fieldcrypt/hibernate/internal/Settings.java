package io.fieldcrypt.hibernate.internal;

import static io.fieldcrypt.hibernate.FieldCryptSettings.DATA_KEY_MAX_AGE;
import static io.fieldcrypt.hibernate.FieldCryptSettings.DATA_KEY_MAX_USES;
import static io.fieldcrypt.hibernate.FieldCryptSettings.DATA_KEY_TABLE;
import static io.fieldcrypt.hibernate.FieldCryptSettings.ENABLED;
import static io.fieldcrypt.hibernate.FieldCryptSettings.ENVELOPE_ACCEPT_VERSION_1;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_KEY_ID;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_TRUSTED_KEY_IDS;
import static io.fieldcrypt.hibernate.FieldCryptSettings.LOCAL_MASTER_KEYS;
import static io.fieldcrypt.hibernate.FieldCryptSettings.MIGRATION_READ_PLAINTEXT;
import static io.fieldcrypt.hibernate.FieldCryptSettings.SCHEMA;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DataKeyStores;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.SchemaMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * fieldcrypt's settings, read and checked from the session factory's configuration (the key provider is built from
 * them by {@link KeyProviderFactory}). Every error names the setting and the expected form.
 *
 * @param masterKeyId the master key new data keys are made under
 * @param trustedKeyIds further master keys data keys may be unwrapped under, as configured; empty if the setting is
 *     absent
 * @param maxAge the maximum age of a data key used for encryption
 * @param maxUses the maximum number of encryptions under one data key
 * @param table the data key table
 * @param schemaMode what to do with the table at boot
 * @param acceptVersion1 whether envelopes of format version 1 are still opened
 * @param readPlaintext the attributes ({@code Entity.attribute}, or {@code *}) whose unmarked stored values are read as
 *     legacy plaintext during a migration; empty when strict
 */
record Settings(
        String masterKeyId,
        Set<String> trustedKeyIds,
        Duration maxAge,
        long maxUses,
        String table,
        SchemaMode schemaMode,
        boolean acceptVersion1,
        Set<String> readPlaintext) {

    /** @return whether fieldcrypt is enabled */
    static boolean enabled(Map<String, Object> values) {
        return flag(values, ENABLED);
    }

    /** A boolean setting whose default is {@code true}. */
    private static boolean flag(Map<String, Object> values, String setting) {
        String text = text(values, setting);
        if (text == null || text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw invalid(setting, "true or false", text);
    }

    static Settings parse(Map<String, Object> values) {
        String masterKeyId = text(values, KMS_KEY_ID);
        if (masterKeyId == null) {
            throw new ConfigurationException(KMS_KEY_ID + " is required: the master key new data keys are made under"
                    + " (for aws a key id, key ARN or alias/name; for local the id of one of " + LOCAL_MASTER_KEYS
                    + ")");
        }
        Duration maxAge = duration(values, DATA_KEY_MAX_AGE, FieldEncryptor.Builder.DEFAULT_MAX_AGE);
        long maxUses = maxUses(values);
        String table = text(values, DATA_KEY_TABLE);
        return new Settings(
                masterKeyId,
                list(values, KMS_TRUSTED_KEY_IDS),
                maxAge,
                maxUses,
                table == null ? DataKeyStores.DEFAULT_TABLE : table,
                schemaMode(values),
                flag(values, ENVELOPE_ACCEPT_VERSION_1),
                list(values, MIGRATION_READ_PLAINTEXT));
    }

    private static Duration duration(Map<String, Object> values, String setting, Duration fallback) {
        String text = text(values, setting);
        if (text == null) {
            return fallback;
        }
        try {
            Duration duration = Duration.parse(text);
            if (!duration.isNegative() && !duration.isZero()) {
                return duration;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw invalid(setting, "a positive ISO-8601 duration such as PT5M or PT1H", text);
    }

    private static long maxUses(Map<String, Object> values) {
        String text = text(values, DATA_KEY_MAX_USES);
        if (text == null) {
            return FieldEncryptor.Builder.DEFAULT_MAX_USES;
        }
        try {
            long maxUses = Long.parseLong(text);
            if (maxUses >= 1 && maxUses <= FieldEncryptor.Builder.MAX_MAX_USES) {
                return maxUses;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(DATA_KEY_MAX_USES, "a whole number from 1 to " + FieldEncryptor.Builder.MAX_MAX_USES, text);
    }

    private static SchemaMode schemaMode(Map<String, Object> values) {
        String text = text(values, SCHEMA);
        if (text == null) {
            return SchemaMode.CREATE;
        }
        try {
            return SchemaMode.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(SCHEMA, "create, validate or none", text);
        }
    }

    /** A comma-separated setting, entries trimmed, empty entries dropped. */
    private static Set<String> list(Map<String, Object> values, String setting) {
        String text = text(values, setting);
        if (text == null) {
            return Set.of();
        }
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : text.split(",")) {
            if (!entry.isBlank()) {
                entries.add(entry.trim());
            }
        }
        return Collections.unmodifiableSet(entries);
    }

    static String text(Map<String, Object> values, String setting) {
        Object value = values.get(setting);
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        return text.isEmpty() ? null : text;
    }

    static ConfigurationException invalid(String setting, String expected, String actual) {
        return new ConfigurationException(setting + " must be " + expected + ", got '" + actual + "'");
    }
}
