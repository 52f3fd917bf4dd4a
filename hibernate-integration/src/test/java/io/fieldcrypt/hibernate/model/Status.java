package io.fieldcrypt.hibernate.model;

/** An enum to encrypt. */
public enum Status {
    ACTIVE,
    SUSPENDED,
    CLOSED
}
