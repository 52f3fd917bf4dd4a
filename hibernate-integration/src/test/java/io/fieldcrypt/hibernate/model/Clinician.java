package io.fieldcrypt.hibernate.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** Another entity with a column of the same name as {@link Patient}'s, to show values cannot move between them. */
@Entity
public class Clinician {

    @Id
    public Long id;

    @Encrypted
    public String nationalId;

    public Clinician() {}

    public Clinician(Long id, String nationalId) {
        this.id = id;
        this.nationalId = nationalId;
    }
}
