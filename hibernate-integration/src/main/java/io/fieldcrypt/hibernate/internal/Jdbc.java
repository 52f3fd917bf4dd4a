package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.spi.ConnectionSource;

/** Short transactions of fieldcrypt's own on the entity tables, failing with a {@link FieldCryptException}. */
final class Jdbc {

    private Jdbc() {}

    static <T> T inTransaction(ConnectionSource connections, String what, ConnectionSource.Work<T> work) {
        return connections.inTransaction(what, FieldCryptException::new, work);
    }
}
