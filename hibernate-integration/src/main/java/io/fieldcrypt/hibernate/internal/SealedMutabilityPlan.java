package io.fieldcrypt.hibernate.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.fieldcrypt.FieldCryptException;
import java.io.Serializable;
import org.hibernate.SharedSessionContract;
import org.hibernate.type.descriptor.java.MutabilityPlan;

/**
 * The mutability plan of an encrypted attribute. Snapshots of plaintexts follow the attribute type's own plan
 * (an array is copied, a string is not); a {@link SealedValue} is immutable.
 *
 * <p>The second-level cache only ever receives a {@link CachedValue}: the stored envelope with its row's id. A
 * sealed value carries both; for a plaintext, the plan remembers, while the factory has a second-level or query
 * cache, which envelope and row each plaintext it handed out on this thread was opened from — by identity of the
 * plaintext object, held weakly, so nothing here keeps a plaintext alive. (Hibernate puts a loaded or written entity
 * into the cache on the thread that loaded or wrote it.) Any other plaintext is refused, so the cache never holds one.
 * Cached values are opened again when assembled.
 */
final class SealedMutabilityPlan implements MutabilityPlan<Object> {

    private final String label;
    private final MutabilityPlan<Object> plaintextPlan;
    private final GuardConverter guard;
    /** Per thread: a value shared across threads (Boolean.TRUE, an enum constant) must not mix two rows. */
    private volatile ThreadLocal<Cache<Object, CachedValue>> opened;

    SealedMutabilityPlan(String label, MutabilityPlan<Object> plaintextPlan, GuardConverter guard) {
        this.label = label;
        this.plaintextPlan = plaintextPlan;
        this.guard = guard;
    }

    /** @return whether opened values are remembered for the second-level cache */
    boolean remembersOpened() {
        return opened != null;
    }

    /** From now on, remembers where each opened plaintext came from (the factory caches entities or queries). */
    void rememberOpened() {
        if (opened == null) {
            opened = ThreadLocal.withInitial(
                    () -> Caffeine.newBuilder().weakKeys().build());
        }
    }

    /**
     * Records that {@code plaintext} was opened (or sealed) for the row {@code rowId} from {@code stored}: for the
     * load's check that it belongs to the row being loaded ({@link RecentlyOpened}), and, while this plan remembers,
     * for the second-level cache.
     */
    void opened(Object plaintext, String rowId, Object stored) {
        if (plaintext == null) {
            return;
        }
        RecentlyOpened.record(this, plaintext, rowId);
        ThreadLocal<Cache<Object, CachedValue>> remembered = opened;
        if (remembered != null) {
            remembered.get().put(plaintext, new CachedValue(rowId, (Serializable) stored));
        }
    }

    /** @return where {@code plaintext} (this very object) was last opened from, or {@code null} if not known */
    CachedValue openedFrom(Object plaintext) {
        ThreadLocal<Cache<Object, CachedValue>> remembered = opened;
        return remembered == null || plaintext == null ? null : remembered.get().getIfPresent(plaintext);
    }

    @Override
    public boolean isMutable() {
        return plaintextPlan.isMutable();
    }

    @Override
    public Object deepCopy(Object value) {
        return value == null || value instanceof SealedValue ? value : plaintextPlan.deepCopy(value);
    }

    @Override
    public Serializable disassemble(Object value, SharedSessionContract session) {
        if (value == null) {
            return null;
        }
        if (value instanceof SealedValue sealed && sealed.rowId() != null) {
            return new CachedValue(sealed.rowId(), (Serializable) sealed.stored());
        }
        CachedValue from = openedFrom(value);
        if (from == null) {
            throw new FieldCryptException("refusing to put a plaintext value of encrypted attribute " + label
                    + " into the second-level cache: it was not read through fieldcrypt");
        }
        return from;
    }

    @Override
    public Object assemble(Serializable cached, SharedSessionContract session) {
        if (cached == null) {
            return null;
        }
        if (!(cached instanceof CachedValue value)) {
            throw new FieldCryptException("the second-level cache holds a value of encrypted attribute " + label
                    + " in a form fieldcrypt did not write; clear the cache region");
        }
        return guard.openCached(value);
    }

    @Override
    public String toString() {
        return "SealedMutabilityPlan[" + label + "]";
    }
}
