package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.DecryptionException;
import io.fieldcrypt.Envelope;
import io.fieldcrypt.FieldContext;
import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.FieldEncryptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.ComponentType;
import org.hibernate.type.Type;

/**
 * The encrypted attributes of one entity type, by their index in the persister's state array, and the work the
 * listeners do on them: seal a state array, put the plaintext back, open a loaded state array.
 */
final class EntityCrypto {

    /**
     * One encrypted attribute, resolved against the runtime model.
     *
     * @param name the attribute's name, dotted through embeddables ({@code address.street})
     * @param index the index in the state array of the attribute, or of the embeddable that holds it
     * @param components for an attribute inside (nested) embeddables, the embeddable types and the attribute's index
     *     in each, from the outermost; empty for an attribute of the entity itself
     * @param attribute what the binder learned
     * @param table the unqualified table name bound into its values
     * @param column the column name bound into its values
     * @param scope the scope new values are sealed under
     * @param scopes the scopes whose data keys may open its stored values: {@code scope} and its previous scopes
     * @param legacy what is done with a stored value without the envelope marker
     */
    record Slot(
            String name,
            int index,
            List<ComponentStep> components,
            EncryptedAttribute attribute,
            String table,
            String column,
            String scope,
            Set<String> scopes,
            Legacy legacy) {

        /**
         * The attribute's values written before it was encrypted: in a text column, values without the envelope
         * marker; or the values of the column it migrates from, while its own column is NULL.
         *
         * @param readPlaintext whether such a value is read as the legacy plaintext (during a migration), or refused
         * @param reads how many were read
         * @param unmarked counts the legacy values left
         * @param unmarkedAtMost1000 the same, stopping at 1,000 (and bounded in time), for the refusal's message
         * @param from the column it migrates from, or {@code null} (in place)
         * @param clear during a migration from {@code from}, the statements that set it to NULL for a row whose
         *     value was written; else {@code null}
         */
        record Legacy(
                boolean readPlaintext,
                java.util.concurrent.atomic.LongAdder reads,
                LongSupplier unmarked,
                LongSupplier unmarkedAtMost1000,
                LegacyColumn from,
                Clear clear) {}

        /**
         * The statements that set a row's legacy column to NULL once its own column holds the value written: each
         * checks the own column in its condition, so that a statement that did not write it (Hibernate skips the
         * tables it has nothing to change in, and a versioned entity whose collection alone changed gets a
         * version-only update) clears nothing.
         *
         * @param matching where the own column holds the envelope bound first (the one just written)
         * @param ifNull where the own column is NULL (NULL was written)
         * @param ifNotNull where the own column holds a value (a versioned upsert, whose envelope is not at hand)
         */
        record Clear(RowUpdate matching, RowUpdate ifNull, RowUpdate ifNotNull) {}

        /** @return whether {@code stored}, the own column's value, is in-place legacy plaintext: no envelope marker */
        boolean isLegacy(Object stored) {
            return legacy.from() == null
                    && attribute.text()
                    && stored instanceof String value
                    && !value.startsWith(Envelope.TEXT_PREFIX);
        }

        /** One step into an embeddable: its type, and the index of the next property in it. */
        record ComponentStep(ComponentType type, int index) {}

        /**
         * @param persister the entity
         * @param path the property names from the entity to the attribute
         * @return the steps into embeddables after the first property
         */
        static List<ComponentStep> componentPath(EntityPersister persister, List<String> path) {
            List<ComponentStep> steps = new ArrayList<>();
            Type type = persister.getPropertyTypes()[persister.getPropertyIndex(path.get(0))];
            for (String name : path.subList(1, path.size())) {
                ComponentType component = (ComponentType) type;
                int index = component.getPropertyIndex(name);
                steps.add(new ComponentStep(component, index));
                type = component.getSubtypes()[index];
            }
            return List.copyOf(steps);
        }

        boolean embedded() {
            return !components.isEmpty();
        }

        /** @return the attribute's plaintext in {@code state}, reading through embeddables without changing them */
        Object valueIn(Object[] state) {
            Object value = state[index];
            for (ComponentStep step : components) {
                if (value == null) {
                    return null;
                }
                value = step.type().getPropertyValue(value, step.index());
            }
            return value;
        }
    }

    /**
     * A blind index handle: at every write its slot in the state array carries its source's plaintext, which the
     * handle's {@link IndexConverter} hashes when Hibernate binds it.
     *
     * @param handle the handle's index in the state array
     * @param source the source's index in the state array (an attribute of the entity itself)
     * @param mapped what writes the handle's own column, when an update statement left it out
     * @param unmapped during a rotation, what writes the index's other column; otherwise {@code null}
     */
    record IndexSlot(int handle, int source, IndexColumnWriter mapped, IndexColumnWriter unmapped) {}

    private final String aadEntity;
    private final CanonicalId canonicalId;
    private final IdentityInsert identity;
    private final Slot[] slots;
    private final IndexSlot[] indexes;
    private final FieldEncryptor encryptor;
    /** The contexts of each slot's values, by the slot's index in {@link #slots}. */
    private final FieldContext.Column[] contexts;

    EntityCrypto(
            String aadEntity,
            CanonicalId canonicalId,
            Slot[] slots,
            IndexSlot[] indexes,
            FieldEncryptor encryptor,
            IdentityInsert identity) {
        this.aadEntity = aadEntity;
        this.canonicalId = canonicalId;
        this.identity = identity;
        this.slots = slots.clone();
        this.indexes = indexes.clone();
        this.encryptor = encryptor;
        this.contexts = new FieldContext.Column[this.slots.length];
        for (int i = 0; i < this.slots.length; i++) {
            contexts[i] = FieldContext.column(aadEntity, this.slots[i].table, this.slots[i].column);
        }
    }

    /**
     * @return the context of {@code slot}'s value in the row {@code rowId}: the slot's entity, table and column are
     *     encoded once, not for every value sealed or opened
     */
    private FieldContext context(Slot slot, String rowId) {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == slot) {
                return contexts[i].row(rowId);
            }
        }
        return FieldContext.of(aadEntity, slot.table, slot.column, rowId);
    }

    /** @return the blind index handles */
    List<IndexSlot> indexes() {
        return List.of(indexes);
    }

    /**
     * Puts each source's plaintext into its handle's slot, for the handle's converter to hash; before the sources are
     * sealed.
     *
     * @throws FieldCryptException if a source is not plaintext (a value never opened), whose index cannot be made
     */
    private void index(Object[] state) {
        for (IndexSlot index : indexes) {
            Object source = state[index.source];
            if (source instanceof SealedValue) {
                throw new FieldCryptException("cannot write " + aadEntity + ": the source of a blind index holds a"
                        + " value that was never opened, so its index cannot be computed");
            }
            state[index.handle] = source;
        }
    }

    /** Replaces every non-null encrypted value in {@code state} by its sealed form, and fills the index handles. */
    void seal(Object[] state, EntityPersister persister, Object id, SharedSessionContractImplementor session) {
        index(state);
        String rowId;
        if (id == null) {
            // An IDENTITY insert: the id is made by the INSERT itself. The INSERT carries values sealed for no row
            // (they never open), and identityInserted seals them for the generated id in the same transaction.
            if (identity == null || !session.isTransactionInProgress()) {
                throw new FieldCryptException("cannot insert " + aadEntity + " with @Encrypted attributes outside a"
                        + " transaction: its id comes from an IDENTITY column, so its values are sealed for that id"
                        + " by an UPDATE right after the INSERT, and both must commit together. Insert it in a"
                        + " transaction, or map the id to a sequence");
            }
            rowId = IdentityInsert.PENDING_ROW;
        } else {
            rowId = canonicalId.of(id, persister, session);
        }
        for (Slot slot : slots) {
            Object plaintext = slot.valueIn(state);
            if (plaintext != null && !(plaintext instanceof SealedValue)) {
                EncryptedAttribute attribute = slot.attribute;
                byte[] envelope = encryptor.seal(
                        slot.scope, context(slot, rowId), attribute.codec().encode(plaintext));
                SealedValue sealed = SealedValue.sealed(envelope, attribute.text(), rowId);
                if (slot.embedded()) {
                    // The embeddable is the application's instance: it keeps the plaintext, and the guard converter
                    // writes the sealed value when Hibernate binds it.
                    PendingSeals.put(attribute.guard(), plaintext, sealed);
                    attribute.plan().opened(plaintext, rowId, sealed.stored());
                } else {
                    state[slot.index] = sealed;
                }
            }
        }
    }

    /**
     * Seals the values of a versioned upsert without touching {@code state}: each sealed value waits in
     * {@link PendingSeals} for the guard converter to write it in place of its plaintext.
     */
    void sealForUpsert(Object[] state, EntityPersister persister, Object id, SharedSessionContractImplementor session) {
        index(state);
        Object[] sealed = state.clone();
        seal(sealed, persister, id, session);
        for (Slot slot : slots) {
            if (!slot.embedded() && sealed[slot.index] instanceof SealedValue value && state[slot.index] != null) {
                PendingSeals.put(slot.attribute.guard(), state[slot.index], value);
            }
        }
    }

    /**
     * After an IDENTITY insert: seals every value that the INSERT carried for no row again, for the generated id,
     * and writes them with an UPDATE on the session's connection, in its transaction.
     */
    void identityInserted(
            Object[] state,
            Object entity,
            EntityPersister persister,
            Object id,
            SharedSessionContractImplementor session) {
        if (identity == null) {
            return;
        }
        String rowId = canonicalId.of(id, persister, session);
        Object[] stored = new Object[slots.length];
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[i];
            if (state[slot.index] instanceof SealedValue) {
                Object plaintext = persister.getValue(entity, slot.index);
                byte[] envelope = encryptor.seal(
                        slot.scope,
                        contexts[i].row(rowId),
                        slot.attribute.codec().encode(plaintext));
                stored[i] = SealedValue.sealed(envelope, slot.attribute.text(), rowId)
                        .stored();
            }
        }
        identity.write(stored, id, session);
    }

    /**
     * During a blind index rotation, after the entity's row was written: writes the other column of each index being
     * rotated, from the source's plaintext in the entity.
     */
    void writeUnmappedIndexes(
            Object entity, EntityPersister persister, Object id, SharedSessionContractImplementor session) {
        for (IndexSlot index : indexes) {
            if (index.unmapped != null) {
                index.unmapped.write(persister.getValue(entity, index.source), id, persister, session);
            }
        }
    }

    /**
     * After a versioned upsert, which copies its state (the handles' slots holding their sources' plaintext, for
     * hashing) back into the entity: sets the handles of the entity back to {@code null}, what a handle reads as.
     */
    void clearHandles(Object entity, EntityPersister persister) {
        for (IndexSlot index : indexes) {
            persister.setValue(entity, index.handle, null);
        }
    }

    /**
     * After an update whose statement lists only dirty columns ({@code @DynamicUpdate}): writes the handle's column of
     * each index whose source was written without it. fieldcrypt's flush listener makes the handle dirty with its
     * source, but a {@code @PreUpdate} callback or an interceptor can change the source after it ran.
     *
     * @param dirty the attributes the update wrote
     */
    void writeIndexesLeftOut(
            int[] dirty,
            Object entity,
            EntityPersister persister,
            Object id,
            SharedSessionContractImplementor session) {
        for (IndexSlot index : indexes) {
            boolean sourceWritten = false;
            boolean handleWritten = false;
            for (int attribute : dirty) {
                sourceWritten |= attribute == index.source;
                handleWritten |= attribute == index.handle;
            }
            if (sourceWritten && !handleWritten) {
                index.mapped.write(persister.getValue(entity, index.source), id, persister, session);
            }
        }
    }

    /**
     * Puts a snapshot of the entity's plaintext back where {@link #seal} left sealed values, and the entity's own
     * handle values where it left plaintext for hashing.
     */
    void restore(Object[] state, Object entity, EntityPersister persister) {
        Type[] types = persister.getPropertyTypes();
        for (IndexSlot index : indexes) {
            state[index.handle] = persister.getValue(entity, index.handle);
        }
        for (Slot slot : slots) {
            if (state[slot.index] instanceof SealedValue) {
                state[slot.index] =
                        types[slot.index].deepCopy(persister.getValue(entity, slot.index), persister.getFactory());
            }
        }
    }

    /**
     * At pre-load (a {@code Session} only): opens the values of a row read without its key (native SQL with an entity
     * result), and checks that every value the converter or the second-level cache already opened was opened for
     * this row ({@link RecentlyOpened}) — a cache entry moved to another key, or a planted copy of another row's
     * keyed read, is refused as a moved value is.
     */
    void open(Object[] state, EntityPersister persister, Object id, SharedSessionContractImplementor session) {
        String rowId = null;
        for (Slot slot : slots) {
            Object value = slot.valueIn(state);
            if (value == null) {
                continue;
            }
            SealedMutabilityPlan plan = slot.attribute.plan();
            if (value instanceof SealedValue sealed) {
                rowId = rowId == null ? canonicalId.of(id, persister, session) : rowId;
                boolean legacy = slot.isLegacy(sealed.stored());
                Object plaintext = legacy ? legacy(slot, sealed.stored(), rowId) : open(slot, sealed, rowId);
                plan.opened(plaintext, rowId, legacy ? forCache(slot, plaintext, rowId) : sealed.stored());
                state[slot.index] = plaintext;
            } else {
                rowId = rowId == null ? canonicalId.of(id, persister, session) : rowId;
                if (!RecentlyOpened.openedFor(plan, value, rowId)) {
                    throw new DecryptionException("cannot decrypt " + slot.attribute.label() + " of " + aadEntity
                            + "#" + printable(rowId) + ": the value was opened for another row (a column planted"
                            + " with another row's value and read by native SQL, or a second-level cache entry under"
                            + " the wrong key)");
                }
            }
        }
    }

    /**
     * What opens the values of one attribute wherever Hibernate reads them: from the column with its row's key, or
     * from the second-level cache.
     */
    GuardConverter.Reader reader(Slot slot) {
        return new SlotReader(slot);
    }

    /** @return the encrypted attributes */
    List<Slot> slots() {
        return List.of(slots);
    }

    private final class SlotReader implements GuardConverter.Reader {

        private final Slot slot;

        SlotReader(Slot slot) {
            this.slot = slot;
        }

        @Override
        public List<RowBoundRead.KeyKind> keyKinds() {
            return canonicalId.keyKinds();
        }

        @Override
        public Object openRead(RowBoundRead.Read read) {
            String rowId = canonicalId.ofKeyParts(read.idParts());
            if (read.legacy() || slot.isLegacy(read.stored())) {
                Object plaintext = legacy(slot, read.stored(), rowId);
                slot.attribute.plan().opened(plaintext, rowId, forCache(slot, plaintext, rowId));
                return plaintext;
            }
            Object plaintext = open(slot, SealedValue.read(read.stored()), rowId);
            slot.attribute.plan().opened(plaintext, rowId, read.stored());
            return plaintext;
        }

        @Override
        public Object openCached(CachedValue cached) {
            if (IdentityInsert.PENDING_ROW.equals(cached.rowId())) {
                throw new DecryptionException("cannot decrypt " + slot.attribute.label() + " of " + aadEntity
                        + ": the second-level cache holds a value sealed for no row");
            }
            Object plaintext = open(slot, SealedValue.read(cached.stored()), cached.rowId());
            slot.attribute.plan().opened(plaintext, cached.rowId(), cached.stored());
            return plaintext;
        }

        @Override
        public boolean sameAs(GuardConverter.Reader other) {
            return other instanceof SlotReader that
                    && that.owner().encryptor == encryptor
                    && that.owner().aadEntity.equals(aadEntity)
                    && that.slot.table.equals(slot.table)
                    && that.slot.column.equals(slot.column);
        }

        private EntityCrypto owner() {
            return EntityCrypto.this;
        }
    }

    /**
     * Opens one stored value of {@code property} read outside the mapping (native SQL), checking it belongs to the
     * row {@code id}.
     *
     * @return the plaintext, or {@code null} for a null stored value
     * @throws IllegalArgumentException if {@code property} is not an encrypted attribute of this entity
     */
    Object openStored(
            String property,
            Object id,
            Object stored,
            EntityPersister persister,
            SharedSessionContractImplementor session) {
        for (Slot slot : slots) {
            if (slot.name.equals(property)) {
                if (stored == null) {
                    return null;
                }
                String rowId = canonicalId.of(id, persister, session);
                return slot.isLegacy(stored)
                        ? legacy(slot, stored, rowId)
                        : open(slot, SealedValue.read(stored), rowId);
            }
        }
        throw new IllegalArgumentException(aadEntity + "." + property + " is not an @Encrypted attribute");
    }

    /**
     * A stored value without the envelope marker: the legacy plaintext during a migration, else refused. The marker
     * alone decides: a marked value that fails to open is a tamper error, never plaintext.
     */
    private Object legacy(Slot slot, Object stored, String rowId) {
        LegacyColumn from = slot.legacy().from();
        if (!slot.legacy().readPlaintext()) {
            String count;
            try {
                long unmarked = slot.legacy().unmarkedAtMost1000().getAsLong();
                count = unmarked >= 1000 ? "at least 1000" : Long.toString(unmarked);
            } catch (RuntimeException e) {
                count = "an unknown number of";
            }
            if (from != null) {
                throw new DecryptionException("cannot decrypt " + slot.attribute.label() + " of " + aadEntity + "#"
                        + printable(rowId) + ": its column " + slot.column + " is NULL and the column it migrates"
                        + " from, " + from.sqlName() + ", holds a value; " + count + " value(s) of " + slot.table
                        + "." + from.sqlName() + " are left. Read them during the migration with "
                        + io.fieldcrypt.hibernate.FieldCryptSettings.MIGRATION_READ_PLAINTEXT + "="
                        + slot.attribute.label() + " and seal them with FieldCrypt.encryptExisting()");
            }
            throw new DecryptionException(
                    "cannot decrypt " + slot.attribute.label() + " of " + aadEntity + "#" + printable(rowId)
                            + ": the stored value has no envelope marker (" + Envelope.TEXT_PREFIX + "), so"
                            + " fieldcrypt did not write it; " + count + " value(s) of " + slot.table + "."
                            + slot.column + " are like it. If they are plaintext from before the column was"
                            + " encrypted, read them during the migration with "
                            + io.fieldcrypt.hibernate.FieldCryptSettings.MIGRATION_READ_PLAINTEXT + "="
                            + slot.attribute.label(),
                    new DecryptionException(
                            "not an envelope: the text form does not start with " + Envelope.TEXT_PREFIX));
        }
        slot.legacy().reads().increment();
        if (from == null) {
            return stored;
        }
        try {
            return from.parse((String) stored);
        } catch (IllegalArgumentException e) {
            throw new DecryptionException("cannot read " + slot.attribute.label() + " of " + aadEntity + "#"
                    + printable(rowId) + " from the column it migrates from, " + slot.table + "." + from.sqlName()
                    + ": the value is " + e.getMessage());
        }
    }

    /**
     * After an update or upsert, before the plaintext is put back into {@code state}: for each attribute migrating
     * from a legacy column, sets the legacy column to NULL where the own column now holds what was written, so that
     * the value just written is the only one (the legacy one would otherwise linger as plaintext, and come back if
     * the attribute were set to null). An envelope written is matched exactly (a fresh envelope: a statement that did
     * not write the column clears nothing). NULL written clears only if the application saw a value (it set it to
     * null) or its old state is unknown ({@code StatelessSession} update, upsert): a row loaded by native SQL, which
     * reads the own column bare, does not lose its legacy value to a write that leaves the attribute as it was.
     *
     * @param state the state as written: envelopes ({@link SealedValue}) where values were sealed
     * @param oldState the loaded state, or {@code null} if unknown
     */
    void clearLegacy(
            Object[] state,
            Object[] oldState,
            Object id,
            EntityPersister persister,
            SharedSessionContractImplementor session) {
        for (Slot slot : slots) {
            Slot.Clear clear = slot.legacy().clear();
            if (clear == null) {
                continue;
            }
            Object written = state[slot.index];
            if (written instanceof SealedValue sealed) {
                Object stored = sealed.stored();
                clear.matching()
                        .execute(
                                statement -> {
                                    statement.setObject(1, stored);
                                    return 2;
                                },
                                id,
                                persister,
                                session);
            } else if (written == null) {
                if (oldState == null || oldState[slot.index] != null) {
                    clear.ifNull().execute(statement -> 1, id, persister, session);
                }
            } else {
                clear.ifNotNull().execute(statement -> 1, id, persister, session);
            }
        }
    }

    /**
     * What the second-level cache may keep of a legacy value read for {@code rowId}: never the plaintext, but the value
     * sealed for its row (only when the cache is on), as if it had been read sealed.
     */
    private Object forCache(Slot slot, Object plaintext, String rowId) {
        if (!slot.attribute.plan().remembersOpened()) {
            return null;
        }
        byte[] bytes = slot.attribute.codec().encode(plaintext);
        try {
            return SealedValue.sealed(encryptor.seal(slot.scope, context(slot, rowId), bytes), true, rowId)
                    .stored();
        } finally {
            if (bytes != plaintext) {
                // A byte[] attribute's codec hands back the value itself, which the application is about to get.
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    private Object open(Slot slot, SealedValue sealed, String rowId) {
        byte[] plaintext;
        try {
            plaintext = encryptor.open(slot.scopes, context(slot, rowId), sealed.envelope());
        } catch (DecryptionException e) {
            throw e.withContext("cannot decrypt " + where(slot, rowId));
        }
        Object value = null;
        try {
            value = slot.attribute.codec().decode(plaintext);
            return value;
        } catch (RuntimeException e) {
            // The cause is dropped on purpose: a parser's message quotes its input, here the plaintext (for
            // example DateTimeParseException: "Text '1815-12-1x' could not be parsed").
            throw new DecryptionException("cannot decrypt " + where(slot, rowId) + ": the decrypted bytes are not a "
                    + slot.attribute.javaType().getSimpleName());
        } finally {
            if (value != plaintext) {
                // The bytes were copied into the value (a byte[] attribute is the array itself).
                Arrays.fill(plaintext, (byte) 0);
            }
        }
    }

    /** @return the value's place for a message, built only when one is thrown: every value read passes here */
    private String where(Slot slot, String rowId) {
        return slot.attribute.label() + " of " + aadEntity + "#" + printable(rowId);
    }

    /**
     * A row id for a message: ids can be text from the database, so control characters are escaped (no forged log
     * lines) and a long id is cut.
     */
    static String printable(String rowId) {
        StringBuilder out = new StringBuilder();
        rowId.codePoints().limit(100).forEach(c -> {
            if (c < 0x20 || c == 0x7F) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return rowId.codePointCount(0, rowId.length()) > 100 ? out.append("...").toString() : out.toString();
    }
}
