package io.fieldcrypt.hibernate.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.Transient;
import jakarta.persistence.Version;
import java.math.BigDecimal;
import java.time.LocalDate;

/** A typical entity: a sequence id, a version, encrypted attributes of several types next to plain ones. */
@Entity
public class Patient {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE)
    public Long id;

    @Version
    public int version;

    public String name;

    @Encrypted
    public String nationalId;

    @Encrypted
    public String insuranceNumber;

    @Encrypted(storage = Encrypted.Storage.TEXT)
    @Column(length = 400)
    public String email;

    @Encrypted
    public LocalDate dateOfBirth;

    @Encrypted
    public BigDecimal balance;

    /** What the nationalId held when the JPA {@code @PostLoad} callback ran. */
    @Transient
    public String nationalIdSeenAtPostLoad;

    public Patient() {}

    public Patient(String name, String nationalId, String email, LocalDate dateOfBirth, BigDecimal balance) {
        this.name = name;
        this.nationalId = nationalId;
        this.email = email;
        this.dateOfBirth = dateOfBirth;
        this.balance = balance;
    }

    @PostLoad
    void recordPostLoad() {
        nationalIdSeenAtPostLoad = nationalId;
    }
}
