package io.fieldcrypt.hibernate.internal;

import java.lang.ref.WeakReference;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Sealed values waiting, on this thread, for the statement that writes them, where Hibernate's state array cannot
 * hold a sealed value in their place:
 *
 * <ul>
 *   <li>attributes inside an {@code @Embeddable}: the state array holds the component instance the application
 *       holds, whose typed fields cannot take a sealed stand-in (and must never be changed);</li>
 *   <li>a versioned upsert: Hibernate copies the upsert's state array back into the entity after the pre-upsert
 *       event.</li>
 * </ul>
 *
 * The listener seals those values with the row in hand and leaves them here; the guard converter writes the sealed
 * value when Hibernate binds that very plaintext object for that attribute — or, for a boxed primitive, an equal
 * one: Hibernate boxes a primitive field anew each time it reads it, so there is no identity to match. Cleared at
 * every write event on this thread (a statement binds its values before the next entity's event) and at
 * post-upsert.
 *
 * <p>What a left-over entry can do is bounded: it turns one specific plaintext (object, or boxed primitive value),
 * bound for one attribute, into an envelope sealed to the row it was sealed for; no plaintext is ever written
 * because of it. Plaintexts are held weakly, except boxed primitives (a fresh box would be collected before the
 * bind), which stay until the next write event on the thread.
 */
final class PendingSeals {

    private record Pending(WeakReference<Object> plaintext, Object boxed, SealedValue sealed) {

        static Pending of(Object plaintext, SealedValue sealed) {
            return BOXES.contains(plaintext.getClass())
                    ? new Pending(null, plaintext, sealed)
                    : new Pending(new WeakReference<>(plaintext), null, sealed);
        }

        boolean matches(Object candidate) {
            return boxed != null ? boxed.equals(candidate) : plaintext.get() == candidate;
        }
    }

    /** The types Hibernate boxes a primitive field into. */
    private static final Set<Class<?>> BOXES = Set.of(
            Long.class,
            Integer.class,
            Short.class,
            Byte.class,
            Character.class,
            Boolean.class,
            Double.class,
            Float.class);

    private static final ThreadLocal<Map<GuardConverter, Pending>> PENDING = new ThreadLocal<>();

    private PendingSeals() {}

    /**
     * Makes {@code sealed} the value written when {@code guard} binds {@code plaintext} (this very object, or an equal
     * boxed primitive).
     */
    static void put(GuardConverter guard, Object plaintext, SealedValue sealed) {
        Map<GuardConverter, Pending> pending = PENDING.get();
        if (pending == null) {
            pending = new IdentityHashMap<>();
            PENDING.set(pending);
        }
        pending.put(guard, Pending.of(plaintext, sealed));
    }

    /**
     * @return the sealed value waiting for {@code plaintext} of {@code guard}'s attribute, or {@code null}; it stays,
     *     since an upsert statement may bind a value twice (insert and update branches)
     */
    static SealedValue take(GuardConverter guard, Object plaintext) {
        Map<GuardConverter, Pending> pending = PENDING.get();
        Pending waiting = pending == null ? null : pending.get(guard);
        return waiting == null || !waiting.matches(plaintext) ? null : waiting.sealed;
    }

    /** Forgets everything waiting on this thread. */
    static void clear() {
        PENDING.remove();
    }
}
