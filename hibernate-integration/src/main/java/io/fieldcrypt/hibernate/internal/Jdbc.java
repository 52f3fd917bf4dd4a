package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import io.fieldcrypt.internal.store.Transactions;
import io.fieldcrypt.spi.ConnectionSource;

/** Short transactions of fieldcrypt's own on the entity tables, failing with a {@link FieldCryptException}. */
final class Jdbc {

    private Jdbc() {
    }

    static <T> T inTransaction(ConnectionSource connections, String what, Transactions.Work<T> work) {
        return Transactions.inTransaction(connections, what, FieldCryptException::new, work);
    }
}
