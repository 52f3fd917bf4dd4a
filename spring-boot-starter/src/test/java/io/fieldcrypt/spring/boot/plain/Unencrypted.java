package io.fieldcrypt.spring.boot.plain;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** An entity without encrypted attributes, in a package of its own: an application that has not encrypted yet. */
@Entity
public class Unencrypted {
    @Id
    Long id;
}
