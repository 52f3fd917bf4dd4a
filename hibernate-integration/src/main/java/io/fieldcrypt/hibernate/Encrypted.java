package io.fieldcrypt.hibernate;

import io.fieldcrypt.hibernate.internal.EncryptedBinder;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.hibernate.annotations.AttributeBinderType;

/**
 * Encrypts an entity attribute: its column holds only an envelope (see {@code docs/FORMAT.md}), sealed to the
 * entity, the column and the row's id, while the application reads and writes the plain value.
 *
 * <pre>{@code
 * @Entity
 * class Patient {
 *     @Id @GeneratedValue(strategy = GenerationType.SEQUENCE) Long id;
 *     @Encrypted String nationalId;                               // bytea column
 *     @Encrypted(storage = Encrypted.Storage.TEXT) @Column(length = 200) String email;  // varchar column
 *     @Encrypted LocalDate dateOfBirth;
 * }
 * }</pre>
 *
 * <p>Supported attribute types: {@code String}, {@code byte[]}, {@code Integer}, {@code Long}, {@code Short},
 * {@code Boolean}, {@code BigDecimal}, {@code BigInteger}, {@code UUID}, {@code LocalDate}, {@code LocalDateTime},
 * {@code LocalTime}, {@code Instant}, {@code OffsetDateTime} and enums; a null value stays SQL NULL. Refused when the
 * session factory is built, with a message saying what to change: the id or the version attribute, associations,
 * element collections, attributes inside an {@code @Embeddable}, lazily fetched attributes, natural ids, entities
 * whose id comes from an IDENTITY column and whose encrypted attributes span several tables, entities with
 * {@code OptimisticLockType.ALL} or {@code DIRTY}, and
 * {@code @Audited} (Envers) entities or attributes.
 *
 * <p>An encrypted attribute cannot be used in a query restriction, an ordering or a bulk update: a plaintext
 * parameter reaching JDBC is refused, so nothing is ever written unencrypted.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
@AttributeBinderType(binder = EncryptedBinder.class)
public @interface Encrypted {

    /**
     * @return how the envelope is stored; {@link Storage#BINARY} by default
     */
    Storage storage() default Storage.BINARY;

    /**
     * @return the data key scope; by default {@code <table>.<column>}, so each column has data keys of its own.
     *     Attributes that name the same scope share data keys.
     */
    String scope() default "";

    /**
     * @return earlier scopes of this attribute whose data keys may still open its stored values: after the scope
     *     changed (a new {@link #scope()}, or a renamed table or column under the default scope), list the earlier
     *     one here until {@code FieldCrypt.reEncrypt()} reports nothing remaining; it moves every value onto a data
     *     key of the current scope. A data key of any other scope is refused. Default: none.
     */
    String[] previousScopes() default {};

    /**
     * @return during a migration of existing plaintext into a new column ({@code docs/MIGRATION.md}), the column
     *     that holds the legacy plaintext, typed as it always was ({@code date}, {@code numeric}, {@code varchar}...),
     *     in the attribute's own table. While the attribute's own column is NULL, its value is read from there (only
     *     while the attribute is listed in {@code fieldcrypt.migration.read-plaintext}; otherwise such a row fails to
     *     load); writes seal into the attribute's own column only and set the legacy column to NULL.
     *     {@code FieldCrypt.encryptExisting()} moves the rest. Remove it, then drop the legacy column, once
     *     {@code FieldCrypt.status()} reports none left and the attribute has booted strict. Default: none.
     */
    String migrateFrom() default "";

    /** How an envelope is stored in its column. */
    enum Storage {
        /** The binary envelope, in a {@code bytea} column. */
        BINARY,
        /**
         * The text envelope ({@code fc1:} and base64url), in a {@code varchar} or {@code text} column. It is about
         * 4/3 the size of the binary form plus 4 characters: size the column for it.
         */
        TEXT
    }
}
