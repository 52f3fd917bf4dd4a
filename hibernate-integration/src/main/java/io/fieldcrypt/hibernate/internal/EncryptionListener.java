package io.fieldcrypt.hibernate.internal;

import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.event.spi.PostUpdateEvent;
import org.hibernate.event.spi.PostUpdateEventListener;
import org.hibernate.event.spi.PostUpsertEvent;
import org.hibernate.event.spi.PostUpsertEventListener;
import org.hibernate.event.spi.PreInsertEvent;
import org.hibernate.event.spi.PreInsertEventListener;
import org.hibernate.event.spi.PreLoadEvent;
import org.hibernate.event.spi.PreLoadEventListener;
import org.hibernate.event.spi.PreUpdateEvent;
import org.hibernate.event.spi.PreUpdateEventListener;
import org.hibernate.event.spi.PreUpsertEvent;
import org.hibernate.event.spi.PreUpsertEventListener;
import org.hibernate.persister.entity.EntityPersister;

/**
 * The Hibernate event listeners that do the cryptography, with the entity, its id and its state in hand.
 *
 * <ul>
 *   <li>pre-insert, pre-update: seal every encrypted value of the state array to its row and column, under the
 *       current data key, just before the statement binds it;</li>
 *   <li>post-insert, post-update: put the plaintext back into the state array (which Hibernate keeps as the loaded
 *       state), so the next flush sees nothing dirty; after an update or upsert, set to NULL the legacy column of
 *       an attribute migrating from one, whose value the own column now holds;</li>
 *   <li>pre-load ({@code Session} only): open the values of a row read by native SQL, which arrive without their
 *       row's key, and check that values opened from the second-level cache belong to this row. Every other read
 *       is opened by the attribute's converter ({@link GuardConverter}), on every path.</li>
 * </ul>
 */
public final class EncryptionListener
        implements PreInsertEventListener,
                PreUpsertEventListener,
                PostUpsertEventListener,
                PostInsertEventListener,
                PreUpdateEventListener,
                PostUpdateEventListener,
                PreLoadEventListener {

    private final FieldCryptRuntime runtime;

    EncryptionListener(FieldCryptRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public boolean onPreInsert(PreInsertEvent event) {
        PendingSeals.clear();
        EntityWrites.begin();
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            crypto.seal(event.getState(), event.getPersister(), event.getId(), event.getSession());
        }
        return false;
    }

    @Override
    public void onPostInsert(PostInsertEvent event) {
        PendingSeals.clear();
        EntityWrites.end();
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            if (event.getPersister().getGenerator() != null
                    && event.getPersister().getGenerator().generatedOnExecution()) {
                crypto.identityInserted(
                        event.getState(), event.getEntity(), event.getPersister(), event.getId(), event.getSession());
            }
            crypto.writeUnmappedIndexes(event.getEntity(), event.getPersister(), event.getId(), event.getSession());
            crypto.restore(event.getState(), event.getEntity(), event.getPersister());
        }
    }

    @Override
    public boolean onPreUpsert(PreUpsertEvent event) {
        PendingSeals.clear();
        EntityWrites.begin();
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            if (event.getPersister().isVersioned()) {
                // Hibernate copies a versioned upsert's state back into the entity after this event: the state keeps
                // the plaintexts, and the guard converter writes the sealed values instead.
                crypto.sealForUpsert(event.getState(), event.getPersister(), event.getId(), event.getSession());
            } else {
                crypto.seal(event.getState(), event.getPersister(), event.getId(), event.getSession());
            }
        }
        return false;
    }

    @Override
    public void onPostUpsert(PostUpsertEvent event) {
        PendingSeals.clear();
        EntityWrites.end();
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            crypto.writeUnmappedIndexes(event.getEntity(), event.getPersister(), event.getId(), event.getSession());
            if (event.getPersister().isVersioned()) {
                crypto.clearHandles(event.getEntity(), event.getPersister());
            }
            crypto.clearLegacy(event.getState(), null, event.getId(), event.getPersister(), event.getSession());
            crypto.restore(event.getState(), event.getEntity(), event.getPersister());
        }
    }

    @Override
    public boolean onPreUpdate(PreUpdateEvent event) {
        PendingSeals.clear();
        EntityWrites.begin();
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            crypto.seal(event.getState(), event.getPersister(), event.getId(), event.getSession());
        }
        return false;
    }

    @Override
    public void onPostUpdate(PostUpdateEvent event) {
        PendingSeals.clear();
        EntityWrites.end();
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            if (event.getPersister().isDynamicUpdate() && event.getDirtyProperties() != null) {
                crypto.writeIndexesLeftOut(
                        event.getDirtyProperties(),
                        event.getEntity(),
                        event.getPersister(),
                        event.getId(),
                        event.getSession());
            }
            crypto.writeUnmappedIndexes(event.getEntity(), event.getPersister(), event.getId(), event.getSession());
            crypto.clearLegacy(
                    event.getState(), event.getOldState(), event.getId(), event.getPersister(), event.getSession());
            crypto.restore(event.getState(), event.getEntity(), event.getPersister());
        }
    }

    @Override
    public void onPreLoad(PreLoadEvent event) {
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            crypto.open(event.getState(), event.getPersister(), event.getId(), event.getSession());
        }
    }

    @Override
    public boolean requiresPostCommitHandling(EntityPersister persister) {
        return false;
    }
}
