package io.fieldcrypt.hibernate.lifecycle.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** The JOINED subclass of {@link Person}: its own table, a column named like the root's, the same scope. */
@Entity
@Table(name = "lc_clinician")
public class Clinician extends Person {

    @Encrypted(scope = "lc.shared")
    @Column(name = "note")
    public String privateNote;

    public Clinician() {}

    public Clinician(String note, String privateNote) {
        this.note = note;
        this.privateNote = privateNote;
    }
}
