package io.fieldcrypt.hibernate.internal;

import java.lang.ref.WeakReference;

/**
 * The values the guard converter (or the second-level cache) opened last on this thread, each with the row it was
 * opened for: a small ring, newest first. At pre-load a {@code Session} checks that the values about to be put into
 * an entity were opened for that entity's row. That catches what the read expression cannot: native SQL reads the
 * bare column, and a column planted with a copy of another row's keyed read (token included) would otherwise open
 * as that row's value; and a second-level cache entry moved to another key.
 *
 * <p>Plaintexts are held weakly and matched by identity. A value shared by many rows (an enum constant,
 * {@code Boolean.TRUE}) matches if any recent entry for it names the row: such a value is the same plaintext
 * whichever row it came from.
 */
final class RecentlyOpened {

    private static final int SIZE = 64;

    private record Entry(SealedMutabilityPlan attribute, WeakReference<Object> plaintext, String rowId) {}

    private static final ThreadLocal<RecentlyOpened> CURRENT = ThreadLocal.withInitial(RecentlyOpened::new);

    private final Entry[] ring = new Entry[SIZE];
    private int next;

    private RecentlyOpened() {}

    /** Records that {@code plaintext} (not null) of {@code attribute} was opened for the row {@code rowId}. */
    static void record(SealedMutabilityPlan attribute, Object plaintext, String rowId) {
        RecentlyOpened recent = CURRENT.get();
        recent.ring[recent.next] = new Entry(attribute, new WeakReference<>(plaintext), rowId);
        recent.next = (recent.next + 1) % SIZE;
    }

    /**
     * @return {@code false} if {@code plaintext} of {@code attribute} was recently opened on this thread, and only
     *     for rows other than {@code rowId}; {@code true} otherwise
     */
    static boolean openedFor(SealedMutabilityPlan attribute, Object plaintext, String rowId) {
        RecentlyOpened recent = CURRENT.get();
        boolean seen = false;
        // Newest first: the values of the entity being loaded were opened last.
        for (int i = 1; i <= SIZE; i++) {
            Entry entry = recent.ring[Math.floorMod(recent.next - i, SIZE)];
            if (entry != null && entry.attribute == attribute && entry.plaintext.get() == plaintext) {
                if (entry.rowId.equals(rowId)) {
                    return true;
                }
                seen = true;
            }
        }
        return !seen;
    }
}
