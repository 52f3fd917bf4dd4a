/**
 * The data key table in PostgreSQL. Internal: no compatibility promise; use {@link io.fieldcrypt.DataKeyStores}.
 */
package io.fieldcrypt.internal.store;
