package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.type.descriptor.WrapperOptions;
import org.hibernate.type.descriptor.java.PrimitiveByteArrayJavaType;
import org.hibernate.type.descriptor.java.StringJavaType;

/**
 * The column-side Java types of an encrypted attribute ({@code byte[]} or {@code String}, as Hibernate's own), which
 * see each value as JDBC returns it, together with the session reading it — the one place on the read path that
 * knows the session. A value read without its row's key (native SQL) can be opened only by a {@code Session}'s load
 * event with the entity's id, and only into a state array slot: here a {@code StatelessSession}'s read (no load
 * event) or an attribute inside an embeddable (no slot) is refused with a {@link FieldCryptException} naming the
 * attribute, instead of a sealed value reaching a typed field.
 */
final class KeyedReadCheck {

    private KeyedReadCheck() {}

    /** The {@code bytea} column type. */
    static final class Binary extends PrimitiveByteArrayJavaType {

        private final String label;
        private final boolean embedded;

        Binary(String label, boolean embedded) {
            this.label = label;
            this.embedded = embedded;
        }

        @Override
        public <X> byte[] wrap(X value, WrapperOptions options) {
            byte[] read = super.wrap(value, options);
            check(read, label, embedded, options);
            return read;
        }
    }

    /** The {@code varchar}/{@code text} column type. */
    static final class Text extends StringJavaType {

        private final String label;
        private final boolean embedded;

        Text(String label, boolean embedded) {
            this.label = label;
            this.embedded = embedded;
        }

        @Override
        public <X> String wrap(X value, WrapperOptions options) {
            String read = super.wrap(value, options);
            check(read, label, embedded, options);
            return read;
        }
    }

    /** Refuses {@code read}, a column value, if it came without its row's key where nothing can open it. */
    private static void check(Object read, String label, boolean embedded, WrapperOptions options) {
        if (read == null || RowBoundRead.isKeyed(read)) {
            return;
        }
        SharedSessionContractImplementor session = options == null ? null : options.getSession();
        if (embedded) {
            throw new FieldCryptException("cannot read " + label + ": it was read without its row's key (native SQL"
                    + " with an entity result), and an attribute inside an embeddable can only be opened with it;"
                    + " read the entity with HQL, Criteria or find");
        }
        if (session != null && !session.isEventSource()) {
            throw new FieldCryptException("cannot read " + label + ": it was read without its row's key (native SQL"
                    + " with an entity result), and a StatelessSession has no load event to open it with the entity's"
                    + " id; read the entity with HQL, Criteria or get, or through a Session");
        }
    }
}
