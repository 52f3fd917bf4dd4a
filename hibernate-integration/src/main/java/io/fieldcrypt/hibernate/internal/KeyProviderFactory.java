package io.fieldcrypt.hibernate.internal;

import static io.fieldcrypt.hibernate.FieldCryptSettings.KEY_PROVIDER;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KEY_PROVIDER_LISTENER;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_CLIENT;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_ENDPOINT;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_KEY_ID;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_PROVIDER;
import static io.fieldcrypt.hibernate.FieldCryptSettings.KMS_REGION;
import static io.fieldcrypt.hibernate.FieldCryptSettings.LOCAL_MASTER_KEYS;

import io.fieldcrypt.AwsKmsOptions;
import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.KeyProviderListener;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Builds the key provider the settings describe: a ready one from the properties map, AWS KMS (with a client of the
 * application's or one built from region and endpoint), or the local provider with its master keys. Errors name the
 * setting and the expected form.
 */
final class KeyProviderFactory {

    private KeyProviderFactory() {}

    /**
     * The key provider, whether fieldcrypt owns it (and so closes it), and the master keys it trusts besides the
     * current one.
     */
    record Provider(KeyProvider provider, boolean owned, Set<String> trustedKeyIds) {}

    /**
     * @return the {@value io.fieldcrypt.hibernate.FieldCryptSettings#KEY_PROVIDER_LISTENER} object, or one that does
     *     nothing
     * @throws ConfigurationException if it is something else
     */
    static KeyProviderListener listener(Map<String, Object> values) {
        Object listener = values.get(KEY_PROVIDER_LISTENER);
        if (listener == null) {
            return call -> {};
        }
        if (!(listener instanceof KeyProviderListener ready)) {
            throw new ConfigurationException(KEY_PROVIDER_LISTENER + " must be an io.fieldcrypt.spi.KeyProviderListener"
                    + " object, got a " + listener.getClass().getName());
        }
        return ready;
    }

    static Provider create(Map<String, Object> values, Settings settings) {
        Object ready = values.get(KEY_PROVIDER);
        if (ready != null) {
            if (!(ready instanceof KeyProvider provider)) {
                throw new ConfigurationException(KEY_PROVIDER + " must be an io.fieldcrypt.spi.KeyProvider object,"
                        + " got a " + ready.getClass().getName());
            }
            return new Provider(provider, false, settings.trustedKeyIds());
        }
        String kind = Settings.text(values, KMS_PROVIDER);
        kind = kind == null ? "aws" : kind.toLowerCase(Locale.ROOT);
        switch (kind) {
            case "aws" -> {
                return awsProvider(values, settings.trustedKeyIds());
            }
            case "local" -> {
                return localProvider(values, settings);
            }
            default -> throw Settings.invalid(KMS_PROVIDER, "aws or local", kind);
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
        AwsKmsOptions options = AwsKmsOptions.defaults().withRegion(Settings.text(values, KMS_REGION));
        String endpoint = Settings.text(values, KMS_ENDPOINT);
        if (endpoint != null) {
            try {
                URI uri = new URI(endpoint);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
                options = options.withEndpoint(uri);
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                throw Settings.invalid(KMS_ENDPOINT, "a URL such as https://kms.eu-west-1.amazonaws.com", endpoint);
            }
        }
        try {
            return new Provider(KeyProviders.awsKms(options), true, trustedKeyIds);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(KMS_REGION + " / " + KMS_ENDPOINT + ": " + e.getMessage(), e);
        }
    }

    private static Provider localProvider(Map<String, Object> values, Settings settings) {
        String masterKeyId = settings.masterKeyId();
        String spec = resolveIndirection(Settings.text(values, LOCAL_MASTER_KEYS));
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
            throw new ConfigurationException(
                    KMS_KEY_ID + " '" + masterKeyId + "' is not one of the keys in " + LOCAL_MASTER_KEYS + " ("
                            + provider + ")",
                    e);
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
                throw new ConfigurationException(
                        LOCAL_MASTER_KEYS + " names environment variable " + name + ", which is not set");
            }
            return value.trim();
        }
        if (spec.startsWith("file:")) {
            java.nio.file.Path path = java.nio.file.Path.of(spec.substring(5));
            try {
                return java.nio.file.Files.readString(path).trim();
            } catch (java.io.IOException e) {
                throw new ConfigurationException(
                        LOCAL_MASTER_KEYS + " names file " + path + ", which cannot be read ("
                                + e.getClass().getSimpleName() + ")",
                        e);
            }
        }
        return spec;
    }
}
