package io.fieldcrypt.hibernate.internal;

import org.hibernate.engine.spi.SelfDirtinessTracker;
import org.hibernate.event.spi.FlushEntityEvent;
import org.hibernate.event.spi.FlushEntityEventListener;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.Type;

/**
 * Makes a blind index handle dirty whenever its source is, before Hibernate's own dirty check of a flush: the
 * application never touches the handle, so without this an entity with {@code @DynamicUpdate} would update the source
 * column and leave the index column stale. Registered ahead of Hibernate's flush listener.
 *
 * <p>The handle's loaded value is replaced by a marker that equals nothing, so Hibernate's comparison finds it
 * changed; entities that track their own dirtiness (bytecode enhancement) are told directly. The update then writes
 * the handle, whose slot the listener fills with the source's plaintext for hashing.
 */
final class IndexDirtiness implements FlushEntityEventListener {

    /** A loaded value no current value equals. */
    private static final Object STALE = new Object() {
        @Override
        public String toString() {
            return "fieldcrypt: blind index to recompute";
        }
    };

    private final FieldCryptRuntime runtime;

    IndexDirtiness(FieldCryptRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void onFlushEntity(FlushEntityEvent event) {
        EntityPersister persister = event.getEntityEntry().getPersister();
        EntityCrypto crypto = runtime.entity(persister);
        Object[] loaded = event.getEntityEntry().getLoadedState();
        if (crypto == null || crypto.indexes().isEmpty() || loaded == null) {
            return;
        }
        Object entity = event.getEntity();
        Type[] types = persister.getPropertyTypes();
        for (EntityCrypto.IndexSlot index : crypto.indexes()) {
            Object current = persister.getValue(entity, index.source());
            if (!types[index.source()].isSame(loaded[index.source()], current)) {
                loaded[index.handle()] = STALE;
                if (entity instanceof SelfDirtinessTracker tracker) {
                    tracker.$$_hibernate_trackChange(persister.getPropertyNames()[index.handle()]);
                }
            }
        }
    }
}
