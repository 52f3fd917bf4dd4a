/**
 * The binder, guard converter, listeners, integrator and maintenance jobs behind the Hibernate integration.
 * Internal: no compatibility promise.
 */
package io.fieldcrypt.hibernate.internal;
