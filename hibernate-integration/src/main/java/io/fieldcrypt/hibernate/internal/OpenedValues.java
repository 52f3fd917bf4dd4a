package io.fieldcrypt.hibernate.internal;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * The values the pre-load listener has just opened for the entity being initialized on this thread, with the
 * stored envelopes they came from. Hibernate puts a freshly loaded entity into the second-level cache right after
 * the pre-load event, from the same (now plaintext) state array, on the same thread; this lets the cache receive
 * the envelope instead. Entries match by attribute and by identity of the plaintext object, and are cleared at
 * post-load, or at once when opening fails (no post-load follows). Only used for cacheable entities.
 */
final class OpenedValues {

    /** The plaintext is held weakly: the entity holds it, and nothing here may keep it alive after a failure. */
    private record Opened(SealedMutabilityPlan attribute, WeakReference<Object> plaintext, Object stored) {}

    private static final ThreadLocal<List<Opened>> CURRENT = ThreadLocal.withInitial(ArrayList::new);

    private OpenedValues() {}

    /** Starts the list for a new entity, forgetting the previous one. */
    static void begin() {
        CURRENT.get().clear();
    }

    static void add(SealedMutabilityPlan attribute, Object plaintext, Object stored) {
        CURRENT.get().add(new Opened(attribute, new WeakReference<>(plaintext), stored));
    }

    static Object storedFormOf(SealedMutabilityPlan attribute, Object plaintext) {
        for (Opened opened : CURRENT.get()) {
            if (opened.attribute == attribute && opened.plaintext.get() == plaintext) {
                return opened.stored;
            }
        }
        return null;
    }

    static void clear() {
        CURRENT.remove();
    }
}
