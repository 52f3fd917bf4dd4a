package io.fieldcrypt.hibernate;

/**
 * The names of fieldcrypt's settings, read from the JPA or Hibernate properties ({@code persistence.xml}, the
 * properties map of {@code Persistence.createEntityManagerFactory}, or Spring's {@code spring.jpa.properties.*}).
 * A setting that is wrong fails the session factory's build with a message naming it and the expected form.
 */
public final class FieldCryptSettings {

    /** {@code fieldcrypt.enabled}: {@code false} turns the integration off. Default {@code true}. */
    public static final String ENABLED = "fieldcrypt.enabled";

    /** {@code fieldcrypt.kms.provider}: {@code aws} or {@code local}. Default {@code aws}. */
    public static final String KMS_PROVIDER = "fieldcrypt.kms.provider";

    /**
     * {@code fieldcrypt.kms.key-id}: the master key new data keys are made under. For {@code aws} a key id, key ARN,
     * alias name ({@code alias/...}) or alias ARN; for {@code local} the id of one of the local master keys.
     * Required.
     */
    public static final String KMS_KEY_ID = "fieldcrypt.kms.key-id";

    /**
     * {@code fieldcrypt.kms.trusted-key-ids}: comma-separated further master keys (key ids, key ARNs, aliases or
     * alias ARNs) that data keys may be unwrapped under, in addition to {@link #KMS_KEY_ID}, which is always trusted:
     * during a master key rotation, the previous key until {@code rewrapDataKeys()} has moved every data key off it.
     * Resolved to key ARNs when the factory is built. A data key row under any other master key is refused. Default:
     * none for {@code aws}; every id of {@link #LOCAL_MASTER_KEYS} for {@code local}.
     */
    public static final String KMS_TRUSTED_KEY_IDS = "fieldcrypt.kms.trusted-key-ids";

    /** {@code fieldcrypt.kms.region}: the AWS region. Default: the AWS SDK's region chain ({@code AWS_REGION}). */
    public static final String KMS_REGION = "fieldcrypt.kms.region";

    /**
     * {@code fieldcrypt.kms.endpoint}: a KMS-compatible endpoint URL (LocalStack, a VPC endpoint). Default: the
     * region's AWS KMS endpoint.
     */
    public static final String KMS_ENDPOINT = "fieldcrypt.kms.endpoint";

    /**
     * {@code fieldcrypt.local.master-keys}: for the {@code local} provider, {@code id:base64[,id:base64...]} with
     * 32-byte AES keys (for example from {@code openssl rand -base64 32}), or {@code env:NAME} or
     * {@code file:PATH} naming the environment variable or file that holds that text. Prefer the indirect forms:
     * Hibernate logs every persistence unit property at DEBUG. For development and tests only.
     */
    public static final String LOCAL_MASTER_KEYS = "fieldcrypt.local.master-keys";

    /** {@code fieldcrypt.data-key.max-age}: ISO-8601 duration a data key encrypts new values for. Default {@code PT5M}. */
    public static final String DATA_KEY_MAX_AGE = "fieldcrypt.data-key.max-age";

    /**
     * {@code fieldcrypt.data-key.max-uses}: values one data key encrypts in one process before a new one is made.
     * Default 16777216 (2^24); at most 2^31.
     */
    public static final String DATA_KEY_MAX_USES = "fieldcrypt.data-key.max-uses";

    /** {@code fieldcrypt.data-key.table}: the data key table, optionally schema-qualified. Default {@code fieldcrypt_data_key}. */
    public static final String DATA_KEY_TABLE = "fieldcrypt.data-key.table";

    /**
     * {@code fieldcrypt.envelope.accept-version-1}: whether values in envelope format version 1 (written before the
     * table was bound into every value) are still opened. Default {@code true}. Set it to {@code false} once
     * {@code FieldCrypt.status()} shows nothing left to re-encrypt: until then a version 1 value copied between
     * same-named columns of two tables that share a data key scope still opens.
     */
    public static final String ENVELOPE_ACCEPT_VERSION_1 = "fieldcrypt.envelope.accept-version-1";

    /** {@code fieldcrypt.schema}: {@code create}, {@code validate} or {@code none}. Default {@code create}. */
    public static final String SCHEMA = "fieldcrypt.schema";

    /**
     * {@code fieldcrypt.kms.client}: a ready {@code software.amazon.awssdk.services.kms.KmsClient} object, passed in
     * the properties map, used instead of building one from the region and endpoint. The application keeps owning
     * it (credentials, retries, closing).
     */
    public static final String KMS_CLIENT = "fieldcrypt.kms.client";

    /**
     * {@code fieldcrypt.key-provider}: a ready {@link io.fieldcrypt.spi.KeyProvider} object, passed in the
     * properties map, used instead of {@link #KMS_PROVIDER}. The application keeps owning it.
     */
    public static final String KEY_PROVIDER = "fieldcrypt.key-provider";

    /**
     * {@code fieldcrypt.key-provider.listener}: an {@link io.fieldcrypt.spi.KeyProviderListener} object, passed in the
     * properties map, told of every call to the key provider (operation, duration, outcome): for metrics and health
     * checks. The Spring Boot starter sets it.
     */
    public static final String KEY_PROVIDER_LISTENER = "fieldcrypt.key-provider.listener";

    /**
     * {@code fieldcrypt.blind-index.<Entity.handle>.<property>}: a blind index's definition and its rotation, by
     * settings alone (see {@code docs/OPERATIONS.md}, "Rotate a blind index"). {@code Entity.handle} is the
     * {@link BlindIndex} handle, such as {@code Customer.emailIndex}. Properties: {@code column}, {@code key-group},
     * {@code transform}, {@code bits} override the mapping's; {@code next.column} (a second, added column) starts a
     * rotation, with {@code next.key-group}, {@code next.transform}, {@code next.bits} defaulting to the current
     * ones; both indexes are then written on every insert and update; {@code read} ({@code current} or {@code next})
     * says which one queries use. A setting naming no handle of the factory refuses the boot.
     */
    public static final String BLIND_INDEX_PREFIX = "fieldcrypt.blind-index.";

    /**
     * {@code fieldcrypt.migration.read-plaintext}: during a migration of existing plaintext to encryption, the
     * attributes ({@code Entity.attribute}, comma-separated, or {@code *} for all) whose stored values may still be
     * plaintext. A stored value with the envelope marker ({@code fc1:}) is opened as usual, and one that fails to
     * open is a tamper error, never plaintext; a value without it is read as the legacy plaintext and counted
     * ({@code FieldCrypt.plaintextReads()}). Writes always seal. In place, for {@code String} attributes stored as
     * text ({@code @Encrypted(storage = TEXT)} on the column that held the plaintext); or, for an attribute with
     * {@code @Encrypted(migrateFrom = "<legacy column>")}, the legacy column's value is read while the attribute's own
     * column is NULL. Default: none (strict), where such a value fails to load.
     */
    public static final String MIGRATION_READ_PLAINTEXT = "fieldcrypt.migration.read-plaintext";

    private FieldCryptSettings() {}
}
