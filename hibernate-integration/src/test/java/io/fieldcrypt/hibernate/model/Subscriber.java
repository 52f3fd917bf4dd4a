package io.fieldcrypt.hibernate.model;

import io.fieldcrypt.hibernate.BlindIndex;
import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/** An entity found by its encrypted e-mail through a blind index. */
@Entity
public class Subscriber {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE)
    public Long id;

    @Encrypted
    public String email;

    @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
    @Column(name = "email_bidx", unique = true)
    public String emailIndex;

    public Subscriber() {}

    public Subscriber(String email) {
        this.email = email;
    }
}
