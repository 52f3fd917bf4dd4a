package io.fieldcrypt;

/** What fieldcrypt does with its data key table at start-up. */
public enum SchemaMode {
    /** Create the table and its index if they are missing, then validate. */
    CREATE,
    /** Check that the table exists with the expected columns; fail at start-up otherwise. */
    VALIDATE,
    /** Touch nothing: the table is managed elsewhere (Flyway, Liquibase). */
    NONE
}
