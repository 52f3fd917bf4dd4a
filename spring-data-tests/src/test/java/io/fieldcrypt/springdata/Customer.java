package io.fieldcrypt.springdata;

import io.fieldcrypt.hibernate.BlindIndex;
import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.LocalDate;

/** An entity with encrypted attributes of both storage forms. */
@Entity
public class Customer {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE)
    public Long id;

    public String name;

    @Encrypted
    public String nationalId;

    /** A truncated (8-bit) blind index over {@link #nationalId}: its matches include other values. */
    @BlindIndex(source = "nationalId", transform = BlindIndex.Transform.DIGITS, bits = 8)
    @Column(name = "national_id_bidx")
    public String nationalIdIndex;

    @Encrypted(storage = Encrypted.Storage.TEXT)
    @Column(length = 400)
    public String email;

    /** The query handle of a blind index over {@link #email}: derived queries find customers by e-mail. */
    @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
    @Column(name = "email_bidx", unique = true)
    public String emailIndex;

    @Encrypted
    public LocalDate birthDate;

    public Customer() {}

    public Customer(String name, String nationalId, String email, LocalDate birthDate) {
        this.name = name;
        this.nationalId = nationalId;
        this.email = email;
        this.birthDate = birthDate;
    }
}
