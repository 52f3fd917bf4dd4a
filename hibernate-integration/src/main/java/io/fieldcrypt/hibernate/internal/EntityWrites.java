package io.fieldcrypt.hibernate.internal;

/**
 * Whether this thread is between the pre- and post-event of an entity write (insert, update, upsert), where
 * Hibernate binds the entity's values: a blind index hashed there is a write; one hashed elsewhere is a query's
 * parameter, a lookup. For metrics only: a write that fails between its events leaves the flag set until the
 * thread's next write event, and lookups on the thread meanwhile go uncounted.
 */
final class EntityWrites {

    private static final ThreadLocal<Boolean> IN_PROGRESS = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private EntityWrites() {}

    static void begin() {
        IN_PROGRESS.set(Boolean.TRUE);
    }

    static void end() {
        IN_PROGRESS.set(Boolean.FALSE);
    }

    static boolean inProgress() {
        return IN_PROGRESS.get();
    }
}
