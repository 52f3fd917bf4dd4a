package io.fieldcrypt.hibernate;

import io.fieldcrypt.hibernate.internal.BlindIndexBinder;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.hibernate.annotations.AttributeBinderType;

/**
 * Makes an attribute the query handle of a blind index over an {@link Encrypted} attribute of the same entity, so
 * that rows can be found by the encrypted attribute's value:
 *
 * <pre>{@code
 * @Encrypted
 * String email;
 *
 * @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
 * @Column(name = "email_bidx")
 * String emailIndex;
 *
 * // JPQL, Criteria and Spring Data derived queries take the plaintext:
 * em.createQuery("from Customer c where c.emailIndex = :email", Customer.class)
 *         .setParameter("email", "Ada@Example.org");
 * }</pre>
 *
 * The handle has the source's Java type and a {@code bytea} column. The application never sets it: on every insert
 * and update fieldcrypt stores in its column the keyed hash (HMAC-SHA-256) of the source's transformed plaintext, and
 * a query parameter compared with the handle ({@code =}, {@code in}) is hashed the same way. The handle itself reads
 * as {@code null}. Anything else on a handle (ordering, {@code like}, ranges, functions, selecting it) is refused
 * when the query is compiled. What an index reveals is in {@code docs/SEARCH.md}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
@AttributeBinderType(binder = BlindIndexBinder.class)
public @interface BlindIndex {

    /** @return the name of the {@link Encrypted} attribute of the same entity whose values the index finds */
    String source();

    /** @return what is done to the plaintext before it is hashed; {@link Transform#NONE} by default */
    Transform transform() default Transform.NONE;

    /**
     * @return the length of the stored hash in bits, 1 to 256; 128 (16 bytes) by default. From 128 bits two equal
     *     hashes mean equal values. A shorter, truncated index leaks less (values share hashes), cannot be unique,
     *     and is queried only through {@link FieldCrypt#findBy}, which removes the rows holding other values; see
     *     {@code docs/SEARCH.md} for sizing.
     */
    int bits() default 128;

    /**
     * @return the key group whose root key the index key is derived from. By default each index is a group of its
     *     own (its table and column), so equal values in two indexes have unrelated hashes. Indexes that name the
     *     same group, with the same transform and length, hash equal values equally — which lets the database join
     *     on them, and lets anyone who can read both columns link their rows (see {@code docs/SEARCH.md}).
     */
    String keyGroup() default "";

    /** What is done to the plaintext before it is hashed. Part of the index's key derivation. */
    enum Transform {
        /** The value as it is: its exact bytes. Any type an {@link Encrypted} attribute may have. */
        NONE,
        /**
         * Unicode NFKC normalisation with default (locale-independent) case folding, {@code NFKC_Casefold}: "Ada",
         * "ADA" and "ada" match, so do "Straße" and "STRASSE", and composed and decomposed accents. Strings only.
         */
        CASEFOLD,
        /**
         * NFKC, leading and trailing whitespace removed (no-break spaces too), then {@link #CASEFOLD}. Strings only.
         */
        TRIM_CASEFOLD,
        /**
         * Only the decimal digits kept, those of every script (full-width, Arabic-Indic, Devanagari...) as 0-9:
         * "+44 (20) 7946-0958" matches "442079460958". A value without digits is not indexed. Strings only.
         */
        DIGITS
    }
}
