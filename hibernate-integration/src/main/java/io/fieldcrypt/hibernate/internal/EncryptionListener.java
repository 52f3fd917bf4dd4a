package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.event.spi.PostLoadEvent;
import org.hibernate.event.spi.PostLoadEventListener;
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
 *       state), so the next flush sees nothing dirty;</li>
 *   <li>pre-load: open every encrypted value with the row's real id before Hibernate copies the state into the
 *       entity and its snapshot (so JPA {@code @PostLoad} callbacks see plaintext);</li>
 *   <li>post-load: forget what pre-load remembered for the second-level cache.</li>
 * </ul>
 */
public final class EncryptionListener
        implements PreInsertEventListener,
                PreUpsertEventListener,
                PostUpsertEventListener,
                PostInsertEventListener,
                PreUpdateEventListener,
                PostUpdateEventListener,
                PreLoadEventListener,
                PostLoadEventListener {

    private final FieldCryptRuntime runtime;

    EncryptionListener(FieldCryptRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public boolean onPreInsert(PreInsertEvent event) {
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            crypto.seal(event.getState(), event.getPersister(), event.getId(), event.getSession());
        }
        return false;
    }

    @Override
    public void onPostInsert(PostInsertEvent event) {
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            if (event.getPersister().getGenerator() != null
                    && event.getPersister().getGenerator().generatedOnExecution()) {
                crypto.identityInserted(
                        event.getState(), event.getEntity(), event.getPersister(), event.getId(), event.getSession());
            }
            crypto.restore(event.getState(), event.getEntity(), event.getPersister());
        }
    }

    @Override
    public boolean onPreUpsert(PreUpsertEvent event) {
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            if (event.getPersister().isVersioned()) {
                // Hibernate copies the upsert's state back into a versioned entity after this event, which would put
                // sealed values into its typed fields.
                throw new FieldCryptException(
                        "StatelessSession.upsert of " + event.getPersister().getEntityName()
                                + " is not supported: it has a @Version and @Encrypted attributes, and Hibernate copies the"
                                + " sealed values of an upsert back into a versioned entity. Use insert or update, or a"
                                + " Session's merge");
            }
            crypto.seal(event.getState(), event.getPersister(), event.getId(), event.getSession());
        }
        return false;
    }

    @Override
    public void onPostUpsert(PostUpsertEvent event) {
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            crypto.restore(event.getState(), event.getEntity(), event.getPersister());
        }
    }

    @Override
    public boolean onPreUpdate(PreUpdateEvent event) {
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
            crypto.seal(event.getState(), event.getPersister(), event.getId(), event.getSession());
        }
        return false;
    }

    @Override
    public void onPostUpdate(PostUpdateEvent event) {
        EntityCrypto crypto = runtime.entity(event.getPersister());
        if (crypto != null) {
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
    public void onPostLoad(PostLoadEvent event) {
        OpenedValues.clear();
    }

    @Override
    public boolean requiresPostCommitHandling(EntityPersister persister) {
        return false;
    }
}
