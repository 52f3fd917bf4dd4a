package io.fieldcrypt.hibernate.internal;

import static io.fieldcrypt.hibernate.FieldCryptSettings.DATA_KEY_MAX_AGE;
import static io.fieldcrypt.hibernate.FieldCryptSettings.DATA_KEY_MAX_USES;
import static io.fieldcrypt.hibernate.FieldCryptSettings.DATA_KEY_TABLE;
import static io.fieldcrypt.hibernate.FieldCryptSettings.ENABLED;
import static io.fieldcrypt.hibernate.FieldCryptSettings.ENVELOPE_ACCEPT_VERSION_1;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KEY_PROVIDER;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_CLIENT;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_ENDPOINT;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_KEY_ID;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_PROVIDER;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_REGION;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_TRUSTED_KEY_IDS;
import static io.fieldcrypt.hibernate.FieldCryptSettings.LOCAL_MASTER_KEYS;
import static io.fieldcrypt.hibernate.FieldCryptSettings.SCHEMA;

import io.fieldcrypt.AwsKmsOptions;
import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DataKeyStores;
import io.fieldcrypt.FieldEncryptor;
import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.SchemaMode;
import io.fieldcrypt.spi.KeyProvider;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * fieldcrypt's settings, read and checked from the session factory's configuration. Every error names the setting
 * and the expected form.
 *
 * @param masterKeyId the master key new data keys are made under
 * @param trustedKeyIds further master keys data keys may be unwrapped under, as configured; empty if the setting is
 *     absent
 * @param maxAge the maximum age of a data key used for encryption
 * @param maxUses the maximum number of encryptions under one data key
 * @param table the data key table
 * @param schemaMode what to do with the table at boot
 * @param acceptVersion1 whether envelopes of format version 1 are still opened
 */
record Settings(String masterKeyId, Set<String> trustedKeyIds, Duration maxAge, long maxUses, String table,
        SchemaMode schemaMode, boolean acceptVersion1) {

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
        return new Settings(masterKeyId, list(values, KMS_TRUSTED_KEY_IDS), maxAge, maxUses,
                table == null ? DataKeyStores.DEFAULT_TABLE : table, schemaMode(values),
                flag(values, ENVELOPE_ACCEPT_VERSION_1));
    }

    /**
     * The key provider, whether fieldcrypt owns it (and so closes it), and the master keys it trusts besides the
     * current one.
     */
    record Provider(KeyProvider provider, boolean owned, Set<String> trustedKeyIds) {
    }

    static Provider keyProvider(Map<String, Object> values, Settings settings) {
        Object ready = values.get(KEY_PROVIDER);
        if (ready != null) {
            if (!(ready instanceof KeyProvider provider)) {
                throw new ConfigurationException(KEY_PROVIDER + " must be an io.fieldcrypt.spi.KeyProvider object,"
                        + " got a " + ready.getClass().getName());
            }
            return new Provider(provider, false, settings.trustedKeyIds());
        }
        String kind = text(values, KMS_PROVIDER);
        kind = kind == null ? "aws" : kind.toLowerCase(Locale.ROOT);
        switch (kind) {
            case "aws" -> {
                return awsProvider(values, settings.trustedKeyIds());
            }
            case "local" -> {
                return localProvider(values, settings);
            }
            default -> throw invalid(KMS_PROVIDER, "aws or local", kind);
        }
    }

    private static Provider awsProvider(Map<String, Object> values, Set<String> trustedKeyIds) {
        Object client = values.get(KMS_CLIENT);
        if (client != null) {
            if (!(client instanceof KmsClient kms)) {
                throw new ConfigurationException(KMS_CLIENT + " must be a software.amazon.awssdk.services.kms.KmsClient"
                        + " object, got a " + client.getClass().getName());
            }
            return new Provider(KeyProviders.awsKms(kms), false, trustedKeyIds);
        }
        AwsKmsOptions options = AwsKmsOptions.defaults().withRegion(text(values, KMS_REGION));
        String endpoint = text(values, KMS_ENDPOINT);
        if (endpoint != null) {
            try {
                URI uri = new URI(endpoint);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
                options = options.withEndpoint(uri);
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                throw invalid(KMS_ENDPOINT, "a URL such as https://kms.eu-west-1.amazonaws.com", endpoint);
            }
        }
        return new Provider(KeyProviders.awsKms(options), true, trustedKeyIds);
    }

    private static Provider localProvider(Map<String, Object> values, Settings settings) {
        String masterKeyId = settings.masterKeyId();
        String spec = resolveIndirection(text(values, LOCAL_MASTER_KEYS));
        if (spec == null) {
            throw new ConfigurationException(LOCAL_MASTER_KEYS + " is required for the local provider:"
                    + " id:base64[,id:base64...] with 32-byte keys (for example: openssl rand -base64 32), or env:NAME"
                    + " or file:PATH naming where that text is");
        }
        KeyProvider provider;
        try {
            provider = KeyProviders.local(spec);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(LOCAL_MASTER_KEYS + ": " + e.getMessage(), e);
        }
        try {
            provider.canonicalMasterKeyId(masterKeyId);
        } catch (RuntimeException e) {
            provider.close();
            throw new ConfigurationException(KMS_KEY_ID + " '" + masterKeyId + "' is not one of the keys in "
                    + LOCAL_MASTER_KEYS + " (" + provider + ")", e);
        }
        Set<String> trusted = settings.trustedKeyIds();
        if (trusted.isEmpty()) {
            // Every local key is configured by the application itself: all of them are trusted.
            Set<String> ids = new LinkedHashSet<>();
            for (String entry : spec.split(",")) {
                ids.add(entry.substring(0, entry.indexOf(':')).trim());
            }
            trusted = Set.copyOf(ids);
        }
        return new Provider(provider, true, trusted);
    }

    /**
     * The local master keys' text, where {@code env:NAME} and {@code file:PATH} point to it: Hibernate logs every
     * persistence unit property at DEBUG, so keys are better kept out of the properties themselves.
     */
    private static String resolveIndirection(String spec) {
        if (spec == null) {
            return null;
        }
        if (spec.startsWith("env:")) {
            String name = spec.substring(4);
            String value = System.getenv(name);
            if (value == null || value.isBlank()) {
                throw new ConfigurationException(LOCAL_MASTER_KEYS + " names environment variable " + name
                        + ", which is not set");
            }
            return value.trim();
        }
        if (spec.startsWith("file:")) {
            java.nio.file.Path path = java.nio.file.Path.of(spec.substring(5));
            try {
                return java.nio.file.Files.readString(path).trim();
            } catch (java.io.IOException e) {
                throw new ConfigurationException(LOCAL_MASTER_KEYS + " names file " + path
                        + ", which cannot be read (" + e.getClass().getSimpleName() + ")", e);
            }
        }
        return spec;
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

    private static String text(Map<String, Object> values, String setting) {
        Object value = values.get(setting);
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        return text.isEmpty() ? null : text;
    }

    private static ConfigurationException invalid(String setting, String expected, String actual) {
        return new ConfigurationException(setting + " must be " + expected + ", got '" + actual + "'");
    }
}
