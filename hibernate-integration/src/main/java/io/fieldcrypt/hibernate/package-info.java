/**
 * fieldcrypt for Hibernate ORM: annotate entity attributes with {@link io.fieldcrypt.hibernate.Encrypted}, configure
 * the settings named in {@link io.fieldcrypt.hibernate.FieldCryptSettings}, and administer keys through
 * {@link io.fieldcrypt.hibernate.FieldCrypt#of(jakarta.persistence.EntityManagerFactory)}.
 */
package io.fieldcrypt.hibernate;
