package io.fieldcrypt.hibernate.internal;

import java.lang.ref.WeakReference;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The sealed values of the versioned upsert running on this thread. For an entity with a {@code @Version}, Hibernate
 * copies an upsert's state array back into the entity after the pre-upsert event, so the state must keep the
 * plaintexts there; the values sealed at pre-upsert wait here instead, and the guard converter swaps each one in when
 * Hibernate binds that very plaintext object for that attribute. Cleared at post-upsert, and at the next write event
 * on this thread if an upsert failed in between.
 *
 * <p>What a left-over entry can do is bounded: it turns one specific plaintext object, bound for one attribute, into
 * an envelope sealed to the upserted row; no plaintext is ever written because of it. Plaintexts are held weakly.
 */
final class UpsertSeals {

    private record Pending(WeakReference<Object> plaintext, SealedValue sealed) {}

    private static final ThreadLocal<Map<GuardConverter, Pending>> PENDING = new ThreadLocal<>();

    private UpsertSeals() {}

    /** Makes {@code sealed} the value written when {@code guard} binds {@code plaintext} (this very object). */
    static void put(GuardConverter guard, Object plaintext, SealedValue sealed) {
        Map<GuardConverter, Pending> pending = PENDING.get();
        if (pending == null) {
            pending = new IdentityHashMap<>();
            PENDING.set(pending);
        }
        pending.put(guard, new Pending(new WeakReference<>(plaintext), sealed));
    }

    /**
     * @return the sealed value waiting for {@code plaintext} of {@code guard}'s attribute, or {@code null}; it stays,
     *     since an upsert statement may bind a value twice (insert and update branches)
     */
    static SealedValue take(GuardConverter guard, Object plaintext) {
        Map<GuardConverter, Pending> pending = PENDING.get();
        Pending waiting = pending == null ? null : pending.get(guard);
        return waiting == null || waiting.plaintext.get() != plaintext ? null : waiting.sealed;
    }

    /** Forgets everything waiting on this thread. */
    static void clear() {
        PENDING.remove();
    }
}
