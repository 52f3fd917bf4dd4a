package io.fieldcrypt.hibernate.lifecycle.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/**
 * The root of a JOINED hierarchy whose encrypted column has the same name, and shares its data key scope, with a
 * column of the subclass's table ({@link Clinician}): only the table bound into a value tells the two apart.
 */
@Entity
@Table(name = "lc_person")
@Inheritance(strategy = InheritanceType.JOINED)
public class Person {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_person_seq")
    @SequenceGenerator(name = "lc_person_seq", sequenceName = "lc_person_seq", allocationSize = 1)
    public Long id;

    @Encrypted(scope = "lc.shared")
    @Column(name = "note")
    public String note;

    public Person() {}
}
