package io.fieldcrypt.hibernate;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.DataKeyAdmin;
import io.fieldcrypt.DataKeyStats;
import io.fieldcrypt.RewrapReport;
import io.fieldcrypt.RotationReport;
import io.fieldcrypt.hibernate.internal.BlindIndexRebuild;
import io.fieldcrypt.hibernate.internal.DestroyJob;
import io.fieldcrypt.hibernate.internal.EncryptExisting;
import io.fieldcrypt.hibernate.internal.FieldCryptRuntime;
import io.fieldcrypt.hibernate.internal.FieldCryptService;
import io.fieldcrypt.hibernate.internal.IndexLookup;
import io.fieldcrypt.hibernate.internal.OrphanedIndexes;
import io.fieldcrypt.hibernate.internal.ReEncryption;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.hibernate.Session;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * The administration API of fieldcrypt in one {@link EntityManagerFactory}. Thread-safe.
 */
public final class FieldCrypt {

    private final FieldCryptRuntime runtime;
    private final DataKeyAdmin dataKeys;

    private FieldCrypt(FieldCryptRuntime runtime) {
        this.runtime = runtime;
        this.dataKeys = runtime.encryptor().dataKeys();
    }

    /**
     * @param factory an entity manager factory (or Hibernate session factory) built with fieldcrypt
     * @return its administration API
     * @throws ConfigurationException if fieldcrypt is not active in that factory (no {@code @Encrypted} attribute,
     *     or {@value FieldCryptSettings#ENABLED} is false)
     */
    public static FieldCrypt of(EntityManagerFactory factory) {
        return ifActive(factory)
                .orElseThrow(() -> new ConfigurationException("fieldcrypt is not active in this EntityManagerFactory:"
                        + " it has no @Encrypted attribute, or " + FieldCryptSettings.ENABLED + " is false"));
    }

    /**
     * @param factory an entity manager factory (or Hibernate session factory)
     * @return its administration API, or empty if fieldcrypt is not active in it (no {@code @Encrypted} attribute, or
     *     {@value FieldCryptSettings#ENABLED} is false)
     */
    public static java.util.Optional<FieldCrypt> ifActive(EntityManagerFactory factory) {
        SessionFactoryImplementor sessionFactory =
                Objects.requireNonNull(factory, "factory").unwrap(SessionFactoryImplementor.class);
        FieldCryptService service = sessionFactory.getServiceRegistry().getService(FieldCryptService.class);
        FieldCryptRuntime runtime = service == null ? null : service.runtime(sessionFactory);
        return java.util.Optional.ofNullable(runtime).map(FieldCrypt::new);
    }

    /**
     * Opens a value that native SQL read past the mapping ({@code createNativeQuery(sql)} without an entity result
     * returns the stored envelope, never the plaintext), checking, as every load does, that it belongs to the row
     * {@code id} and to the column of {@code attribute}.
     *
     * <pre>{@code
     * Object[] row = (Object[]) em.createNativeQuery("select id, nationalId from patient where ...").getSingleResult();
     * String nationalId = (String) FieldCrypt.of(emf).open(Patient.class, "nationalId", row[0], row[1]);
     * }</pre>
     *
     * @param entityClass the entity the value belongs to
     * @param attribute the {@code @Encrypted} attribute
     * @param id the row's id, of the entity's id type
     * @param stored the column's value as JDBC returned it ({@code byte[]} or, for text storage, {@code String});
     *     {@code null} gives {@code null}
     * @return the plaintext, of the attribute's Java type
     * @throws io.fieldcrypt.DecryptionException if the value was altered or belongs to another row, column or table
     * @throws IllegalArgumentException if {@code entityClass} is not an entity of this factory or {@code attribute}
     *     is not one of its encrypted attributes
     */
    public Object open(Class<?> entityClass, String attribute, Object id, Object stored) {
        return runtime.open(
                Objects.requireNonNull(entityClass, "entityClass"),
                Objects.requireNonNull(attribute, "attribute"),
                Objects.requireNonNull(id, "id"),
                stored);
    }

    /**
     * @return the counters of key provider calls and key cache hits and misses since the factory was built
     */
    public DataKeyStats stats() {
        return runtime.encryptor().stats();
    }

    /**
     * Re-encrypts every stored data key of this factory's scopes, and the root key of each of its blind index key
     * groups, that is not under the configured master key ({@value FieldCryptSettings#KMS_KEY_ID}) with KMS
     * {@code ReEncrypt} (the local provider does the equivalent).
     * No entity row is touched, and keys of scopes this factory does not map are left alone. Afterwards the old
     * master key is not needed to read anything: remove it from {@value FieldCryptSettings#KMS_TRUSTED_KEY_IDS} and
     * disable it. Idempotent, and safe to rerun after a crash: keys already current are skipped, and each key is
     * replaced compare-and-set.
     *
     * <p>Every key is checked first: one under a master key that is not trusted, or whose encryption context is not
     * its scope's, refuses the run before anything is rewrapped, so a row planted in the table is never laundered
     * under the current master key.
     *
     * @return how many keys were rewrapped, were already current, or failed (a rerun retries those)
     * @throws io.fieldcrypt.DecryptionException if a key cannot be trusted (naming it and its master key)
     * @throws io.fieldcrypt.KeyProviderException if the configured master key cannot be resolved
     * @throws io.fieldcrypt.DataKeyStoreException if the data key table cannot be read or written
     */
    public RewrapReport rewrapDataKeys() {
        Set<String> scopes = new TreeSet<>(runtime.scopes());
        scopes.addAll(runtime.blindIndexRootScopes());
        return dataKeys.rewrap(scopes);
    }

    /**
     * Retires the active data keys of this factory's scopes (keys of other scopes in a shared data key table are
     * left alone): new values get new data keys at once in this process, and within
     * {@value FieldCryptSettings#DATA_KEY_MAX_AGE} in every other instance. Existing values stay readable; run
     * {@link #reEncrypt()} afterwards to move them onto the new keys.
     *
     * @return how many keys were retired, and when
     * @throws io.fieldcrypt.DataKeyStoreException if the data key table cannot be written
     */
    public RotationReport rotateDataKeys() {
        return dataKeys.rotate(runtime.scopes());
    }

    /**
     * Rewrites every value sealed under a retired data key with the current data key, for every {@code @Encrypted}
     * attribute of every entity, with {@link ReEncryptOptions#defaults()}. See
     * {@link #reEncrypt(ReEncryptOptions)}.
     *
     * @return what the run did and what remains
     */
    public ReEncryptReport reEncrypt() {
        return reEncrypt(ReEncryptOptions.defaults());
    }

    /**
     * Rewrites every value sealed under a retired data key with the current data key. Online: rows are read in key
     * order in batches of one transaction each, locked {@code FOR UPDATE SKIP LOCKED} until the batch commits, so the
     * application keeps working and its updates are never lost; versions and plaintexts do not change. Each
     * batch saves a checkpoint, so a run that stopped resumes where it stopped. Several runs at once are safe: a row
     * is processed by one of them. Memory holds one batch.
     *
     * <p>Run it at least {@value FieldCryptSettings#DATA_KEY_MAX_AGE} after {@link #rotateDataKeys()}, and rerun it
     * until {@link ReEncryptReport#remaining()} is 0.
     *
     * @param options job name, batch size, rate limit, progress listener
     * @return what the run did and what remains
     * @throws io.fieldcrypt.FieldCryptException if a table cannot be read or written, or the key provider fails;
     *     everything committed so far stays, and a rerun resumes
     */
    public ReEncryptReport reEncrypt(ReEncryptOptions options) {
        Objects.requireNonNull(options, "options");
        return new ReEncryption(runtime, dataKeys.keys(runtime.scopes()), options).run();
    }

    /**
     * Deletes the retired data keys of this factory's scopes, in one transaction that first checks, by the
     * database's clock, that no instance may still encrypt with them (each key's expiry, recorded when it was made
     * from the {@value FieldCryptSettings#DATA_KEY_MAX_AGE} of the instance that made it, has passed; for keys made
     * before version 0.2, its retirement plus this factory's maximum age); that no transaction is open that began
     * before that moment plus one minute, nor any prepared transaction (it could still commit a value under them;
     * this needs {@code pg_read_all_stats} or the application's own role, and is refused when other sessions are
     * hidden); and, by looking at every encrypted column, that no stored value uses them.
     * <b>Values the keys protected in places those checks cannot see are unreadable for good</b> — a restored backup
     * of an entity table from before the re-encryption, a copy in another table — but the wrapped keys survive in
     * backups, WAL archives and replicas of the data key table, and the master key still exists: see
     * {@code docs/OPERATIONS.md} for what crypto-shredding needs beyond this.
     *
     * <p>Refused while the data key table holds retired keys of scopes this factory does not map (another
     * application sharing the table, an attribute removed from the model): see
     * {@link #destroyRetiredDataKeys(Duration, Set)}.
     *
     * @return the keys destroyed
     * @throws RetiredKeysInUseException if a check fails (the message says which, how many and where); nothing was
     *     destroyed
     */
    public DestroyReport destroyRetiredDataKeys() {
        return new DestroyJob(runtime).run(null, Set.of());
    }

    /**
     * {@link #destroyRetiredDataKeys()} with a minimum time since retirement (by the database's clock) that replaces
     * the recorded expiries: a time shorter than every instance's {@value FieldCryptSettings#DATA_KEY_MAX_AGE}, for
     * example {@code Duration.ZERO}, is safe only when no other instance of the application runs.
     *
     * @param minimumRetiredAge how long ago a key must have been retired; not negative
     * @return the keys destroyed
     * @throws RetiredKeysInUseException if a check fails; nothing was destroyed
     */
    public DestroyReport destroyRetiredDataKeys(Duration minimumRetiredAge) {
        return destroyRetiredDataKeys(minimumRetiredAge, Set.of());
    }

    /**
     * {@link #destroyRetiredDataKeys()} with another minimum time since retirement, and naming scopes this factory
     * does not map whose retired keys are known to the caller: those keys are never destroyed, but no longer stop
     * the destruction of this factory's own. The minimum time replaces the recorded expiries, as in
     * {@link #destroyRetiredDataKeys(Duration)}.
     *
     * @param minimumRetiredAge how long ago, by the database's clock, a key must have been retired; not negative
     * @param unmappedScopesToIgnore scopes of the data key table this factory does not map, to leave alone
     * @return the keys destroyed
     * @throws RetiredKeysInUseException if a check fails; nothing was destroyed
     * @throws IllegalArgumentException if {@code minimumRetiredAge} is negative
     */
    public DestroyReport destroyRetiredDataKeys(Duration minimumRetiredAge, Set<String> unmappedScopesToIgnore) {
        if (Objects.requireNonNull(minimumRetiredAge, "minimumRetiredAge").isNegative()) {
            throw new IllegalArgumentException("minimumRetiredAge must not be negative, got " + minimumRetiredAge);
        }
        return new DestroyJob(runtime).run(minimumRetiredAge, Set.copyOf(unmappedScopesToIgnore));
    }

    /**
     * Finds the entities whose {@link BlindIndex} source equals {@code value} (as the index's transform sees it): a
     * query on the handle, whose results are then checked against their decrypted source. The way to query a
     * truncated index (fewer than 128 bits), whose matches include rows holding other values; queries on such a handle
     * written any other way are refused when compiled. Works for full-length indexes too.
     *
     * <pre>{@code
     * List<Customer> found = FieldCrypt.of(emf).findBy(session, Customer.class, "emailIndex", "ada@example.org");
     * }</pre>
     *
     * @param session an open session of this factory (an {@code EntityManager} unwraps to one)
     * @param type the entity
     * @param handle the name of its {@code @BlindIndex} attribute
     * @param value a plaintext of the source's type
     * @return the matching entities, managed by {@code session}
     * @throws IllegalArgumentException if {@code handle} is not a blind index handle of {@code type}
     */
    public <T> List<T> findBy(Session session, Class<T> type, String handle, Object value) {
        return new IndexLookup(runtime)
                .find(
                        Objects.requireNonNull(session, "session"),
                        Objects.requireNonNull(type, "type"),
                        Objects.requireNonNull(handle, "handle"),
                        Objects.requireNonNull(value, "value"));
    }

    /**
     * Fills the blind indexes over the attributes listed in {@value FieldCryptSettings#MIGRATION_READ_PLAINTEXT} from
     * their legacy plaintext (and from the values already sealed), before {@link #encryptExisting} seals anything, so
     * that queries through the handles find every row throughout the migration. Same batches, locking, checkpoints
     * and report as {@link #rebuildBlindIndexes(ReEncryptOptions)}.
     *
     * @param options job name (checkpoints), batch size, rate limit, progress listener
     * @return rows scanned and index values written
     */
    public BlindIndexRebuildReport backfillBlindIndexes(ReEncryptOptions options) {
        return new BlindIndexRebuild(runtime, runtime.migratingIndexes(), Objects.requireNonNull(options, "options"))
                .run();
    }

    /**
     * The checks {@link #encryptExisting} runs before it writes anything, alone: in place, no legacy value starts
     * with the envelope marker without being an envelope; from a legacy column ({@code @Encrypted(migrateFrom)}),
     * every value reads back as the attribute's type (no infinite dates, NaN, numbers out of range); and every value
     * fits its column once sealed. From a legacy column this reads every value still to move.
     *
     * @throws io.fieldcrypt.ConfigurationException naming the attribute, how many values are concerned and the fix
     *     (for a column too narrow, the metadata-only {@code ALTER TABLE} that widens it)
     */
    public void preflightEncryptExisting() {
        new EncryptExisting(runtime, ReEncryptOptions.defaults()).preflight();
    }

    /**
     * Seals every legacy plaintext value of the attributes listed in
     * {@value FieldCryptSettings#MIGRATION_READ_PLAINTEXT}, with the defaults of {@link ReEncryptOptions#defaults()}.
     * See {@link #encryptExisting(ReEncryptOptions)}.
     */
    public EncryptExistingReport encryptExisting() {
        return encryptExisting(ReEncryptOptions.defaults());
    }

    /**
     * Seals every legacy plaintext value of the attributes listed in {@value FieldCryptSettings#MIGRATION_READ_PLAINTEXT}:
     * in place, each value without the envelope marker; from a legacy column ({@code @Encrypted(migrateFrom)}), each
     * value of that column into the attribute's own column, setting the legacy one to NULL in the same statement. In
     * key-ordered batches of one transaction each, with a checkpoint per batch, each row locked and rewritten only if
     * it still holds its legacy value (a concurrent application write wins and is never overwritten), without bumping
     * {@code @Version}, writing the blind indexes over each value in the same statement. Runs
     * {@link #preflightEncryptExisting()} first. Rerunnable, and resumes after being stopped.
     *
     * @param options job name (checkpoints), batch size, rate limit, progress listener
     * @return values scanned, encrypted and skipped, what remains, the duration
     * @throws io.fieldcrypt.FieldCryptException if a table cannot be read or written, or the key provider fails;
     *     everything committed so far stays, and a rerun resumes
     */
    public EncryptExistingReport encryptExisting(ReEncryptOptions options) {
        return new EncryptExisting(runtime, Objects.requireNonNull(options, "options")).run();
    }

    /**
     * @return during a migration ({@value FieldCryptSettings#MIGRATION_READ_PLAINTEXT}), per attribute that may still
     *     hold plaintext ({@code Entity.attribute}), how many legacy plaintext values (without the envelope marker,
     *     or from the column it migrates from) this factory has read since it was built
     */
    public Map<String, Long> plaintextReads() {
        return runtime.plaintextReads();
    }

    /**
     * @return per blind index handle ({@code Entity.handle}), how many values were hashed to look rows up by it (query
     *     parameters compared with the handle, {@link #findBy}) since the factory was built; hashes written with
     *     entities are not counted
     */
    public Map<String, Long> blindIndexLookups() {
        return runtime.blindIndexLookups();
    }

    /**
     * Reads at most one row of the data key table: a cheap check that the database and the table are reachable, as
     * a health check makes. Never calls the key provider.
     *
     * @throws io.fieldcrypt.FieldCryptException if the table cannot be read
     */
    public void checkDataKeyTable() {
        runtime.checkDataKeyTable();
    }

    /**
     * @param type an entity
     * @param attribute one of its attributes
     * @return whether it is a truncated {@link BlindIndex} handle (fewer than 128 bits), which queries reach only
     *     through {@link #findBy}
     */
    public boolean isTruncatedBlindIndex(Class<?> type, String attribute) {
        return new IndexLookup(runtime).truncated(type, attribute);
    }

    /**
     * Rebuilds the next index of every blind index being rotated ({@value FieldCryptSettings#BLIND_INDEX_PREFIX}
     * {@code <Entity.handle>.next.column}), with the defaults of {@link ReEncryptOptions#defaults()}. See
     * {@link #rebuildBlindIndexes(ReEncryptOptions)}.
     */
    public BlindIndexRebuildReport rebuildBlindIndexes() {
        return rebuildBlindIndexes(ReEncryptOptions.defaults());
    }

    /**
     * The backfill step of a blind index rotation ({@code docs/OPERATIONS.md}, "Rotate a blind index"): writes the
     * next index of every row from its source's plaintext, in key-ordered batches of one transaction each, with a
     * checkpoint per batch. Run it once every instance writes both indexes (has the {@code next.*} settings); while
     * it runs, the application keeps writing both. Rerunnable, and resumes after a stop; rows already right are not
     * written again.
     *
     * @param options job name (checkpoints), batch size, rate limit, progress listener
     * @return rows scanned and written, unreadable sources, rows still missing their next index
     * @throws io.fieldcrypt.FieldCryptException if a table cannot be read or written
     */
    public BlindIndexRebuildReport rebuildBlindIndexes(ReEncryptOptions options) {
        return new BlindIndexRebuild(runtime, runtime.rotatingIndexes(), Objects.requireNonNull(options, "options"))
                .run();
    }

    /**
     * Clears (sets to {@code NULL}) every blind index value whose source is gone: the encrypted attribute is
     * {@code NULL}, or its value was sealed under a data key that is no longer in the data key table (destroyed). A
     * full-length index of an erased value still confirms a guess of it; run this after erasing values by SQL or
     * destroying their keys. Rows whose source is readable are left alone, also when they change meanwhile.
     *
     * @return how many index values were cleared, by handle ({@code Entity.attribute})
     * @throws io.fieldcrypt.DataKeyStoreException if a table cannot be written
     */
    public Map<String, Long> clearOrphanedBlindIndexes() {
        return new OrphanedIndexes(runtime).clear();
    }

    /**
     * @return the data keys (and blind index root keys) by state and master key, and per encrypted attribute the
     *     values still under retired keys
     * @throws io.fieldcrypt.FieldCryptException if a table cannot be read
     */
    public FieldCryptStatus status() {
        Set<String> scopes = new TreeSet<>(runtime.scopes());
        scopes.addAll(runtime.blindIndexRootScopes());
        return new FieldCryptStatus(dataKeys.counts(scopes), ReEncryption.pending(runtime), runtime.plaintextValues());
    }
}
