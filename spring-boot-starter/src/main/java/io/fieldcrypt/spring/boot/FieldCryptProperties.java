package io.fieldcrypt.spring.boot;

import io.fieldcrypt.hibernate.FieldCryptSettings;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.boot.convert.DurationUnit;

/**
 * fieldcrypt's settings ({@code README.md}, "Settings"), bound from {@code fieldcrypt.*} in the application's
 * properties. A property left unset is not passed on, and the setting's default applies. Each set property becomes
 * the Hibernate setting of the same name; giving the same setting again under {@code spring.jpa.properties.} stops the
 * application at start-up, naming both.
 */
@ConfigurationProperties("fieldcrypt")
public class FieldCryptProperties {

    /**
     * Whether fieldcrypt is on. Off, a persistence unit with @Encrypted attributes refuses to start rather than write
     * plaintext. Default: true.
     */
    private Boolean enabled;

    /**
     * The data key table schema mode: create, validate (when Flyway or Liquibase own the schema: the starter ships
     * the DDL as a Flyway script) or none. Default: create.
     */
    private String schema;

    private final Kms kms = new Kms();

    private final Local local = new Local();

    private final DataKey dataKey = new DataKey();

    private final Envelope envelope = new Envelope();

    private final Migration migration = new Migration();

    /**
     * Blind index definitions and rotations (docs/OPERATIONS.md), each as Entity.handle.property: column, key-group,
     * transform, bits and read, and next.column, next.key-group, next.transform, next.bits during a rotation; e.g.
     * fieldcrypt.blind-index.Customer.emailIndex.next.column=email_bidx2. A setting naming no handle, or no such
     * property, stops the start-up.
     */
    private final Map<String, String> blindIndex = new LinkedHashMap<>();

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getSchema() {
        return schema;
    }

    public void setSchema(String schema) {
        this.schema = schema;
    }

    public Kms getKms() {
        return kms;
    }

    public Local getLocal() {
        return local;
    }

    public DataKey getDataKey() {
        return dataKey;
    }

    public Envelope getEnvelope() {
        return envelope;
    }

    public Migration getMigration() {
        return migration;
    }

    public Map<String, String> getBlindIndex() {
        return blindIndex;
    }

    /**
     * @return the set properties as fieldcrypt's Hibernate settings ({@link FieldCryptSettings}), by setting name, in
     *     the text form the settings take
     */
    public Map<String, String> toSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        put(settings, FieldCryptSettings.ENABLED, enabled);
        put(settings, FieldCryptSettings.SCHEMA, schema);
        put(settings, FieldCryptSettings.KMS_PROVIDER, kms.provider);
        put(settings, FieldCryptSettings.KMS_KEY_ID, kms.keyId);
        put(settings, FieldCryptSettings.KMS_TRUSTED_KEY_IDS, kms.trustedKeyIds);
        put(settings, FieldCryptSettings.KMS_REGION, kms.region);
        put(settings, FieldCryptSettings.KMS_ENDPOINT, kms.endpoint);
        put(settings, FieldCryptSettings.LOCAL_MASTER_KEYS, local.masterKeys);
        put(settings, FieldCryptSettings.DATA_KEY_MAX_AGE, dataKey.maxAge);
        put(settings, FieldCryptSettings.DATA_KEY_MAX_USES, dataKey.maxUses);
        put(settings, FieldCryptSettings.DATA_KEY_TABLE, dataKey.table);
        put(settings, FieldCryptSettings.ENVELOPE_ACCEPT_VERSION_1, envelope.acceptVersion1);
        put(settings, FieldCryptSettings.MIGRATION_READ_PLAINTEXT, migration.readPlaintext);
        blindIndex.forEach((setting, value) -> put(settings, FieldCryptSettings.BLIND_INDEX_PREFIX + setting, value));
        return settings;
    }

    private static void put(Map<String, String> settings, String name, Object value) {
        if (value instanceof List<?> list) {
            if (!list.isEmpty()) {
                settings.put(
                        name,
                        String.join(",", list.stream().map(String::valueOf).toList()));
            }
        } else if (value != null) {
            settings.put(name, value.toString());
        }
    }

    /** The key provider. */
    public static class Kms {

        /** The key provider: aws or local. Default: aws. */
        private String provider;

        /**
         * The master key new data keys are made under: an AWS key id, key ARN, alias/name or alias ARN; for local the
         * id of one local key. Required.
         */
        private String keyId;

        /**
         * Further master keys data keys may be unwrapped under, e.g. the previous key during a master key rotation; a
         * data key row under any other master key is refused. Default: none (local: every local key).
         */
        private List<String> trustedKeyIds = new ArrayList<>();

        /** The AWS region, when fieldcrypt builds its own KMS client. Default: the SDK's default chain. */
        private String region;

        /**
         * A KMS-compatible endpoint (LocalStack, a VPC endpoint), when fieldcrypt builds its own KMS client. Default:
         * the region's KMS.
         */
        private String endpoint;

        public String getProvider() {
            return provider;
        }

        public void setProvider(String provider) {
            this.provider = provider;
        }

        public String getKeyId() {
            return keyId;
        }

        public void setKeyId(String keyId) {
            this.keyId = keyId;
        }

        public List<String> getTrustedKeyIds() {
            return trustedKeyIds;
        }

        public void setTrustedKeyIds(List<String> trustedKeyIds) {
            this.trustedKeyIds = trustedKeyIds;
        }

        public String getRegion() {
            return region;
        }

        public void setRegion(String region) {
            this.region = region;
        }

        public String getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(String endpoint) {
            this.endpoint = endpoint;
        }
    }

    /** The local key provider (development and tests). */
    public static class Local {

        /**
         * The local master keys: id:base64[,id:base64...] of 32-byte keys, or env:NAME / file:PATH naming where that
         * text is (preferred). Development and tests only.
         */
        private String masterKeys;

        public String getMasterKeys() {
            return masterKeys;
        }

        public void setMasterKeys(String masterKeys) {
            this.masterKeys = masterKeys;
        }
    }

    /** Data keys. */
    public static class DataKey {

        /** How long a data key encrypts new values (5m, PT5M; a bare number is seconds). Default: 5 minutes. */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration maxAge;

        /** How many values one data key encrypts in one process; at most 2^31. Default: 2^24. */
        private Long maxUses;

        /** The data key table, optionally schema.table. Default: fieldcrypt_data_key. */
        private String table;

        public Duration getMaxAge() {
            return maxAge;
        }

        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }

        public Long getMaxUses() {
            return maxUses;
        }

        public void setMaxUses(Long maxUses) {
            this.maxUses = maxUses;
        }

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }
    }

    /** The envelope format. */
    public static class Envelope {

        /**
         * Whether values in envelope format version 1 (written by 0.1) are still opened; set false once
         * FieldCrypt.status() shows nothing left to re-encrypt. Default: true.
         */
        @Name("accept-version-1")
        private Boolean acceptVersion1;

        public Boolean getAcceptVersion1() {
            return acceptVersion1;
        }

        public void setAcceptVersion1(Boolean acceptVersion1) {
            this.acceptVersion1 = acceptVersion1;
        }
    }

    /** Migrating existing plaintext (docs/MIGRATION.md). */
    public static class Migration {

        /**
         * During a migration of existing plaintext: the attributes (Entity.attribute, or *) whose legacy plaintext
         * is read. Default: none (strict).
         */
        private List<String> readPlaintext = new ArrayList<>();

        public List<String> getReadPlaintext() {
            return readPlaintext;
        }

        public void setReadPlaintext(List<String> readPlaintext) {
            this.readPlaintext = readPlaintext;
        }
    }
}
