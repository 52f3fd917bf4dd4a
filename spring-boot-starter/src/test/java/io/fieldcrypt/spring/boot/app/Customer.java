package io.fieldcrypt.spring.boot.app;

import io.fieldcrypt.hibernate.BlindIndex;
import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** A customer of the test application: two encrypted attributes, a full and a truncated blind index. */
@Entity
@Table(name = "customer")
public class Customer {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "customer_seq")
    @SequenceGenerator(name = "customer_seq", sequenceName = "customer_seq", allocationSize = 50)
    private Long id;

    private String name;

    @Encrypted(storage = Encrypted.Storage.TEXT)
    private String email;

    @BlindIndex(source = "email", transform = BlindIndex.Transform.CASEFOLD)
    @Column(name = "email_bidx")
    private String emailIndex;

    @Encrypted
    private String zip;

    @BlindIndex(source = "zip", transform = BlindIndex.Transform.DIGITS, bits = 8)
    @Column(name = "zip_bidx")
    private String zipIndex;

    protected Customer() {}

    public Customer(String name, String email, String zip) {
        this.name = name;
        this.email = email;
        this.zip = zip;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getEmail() {
        return email;
    }

    public String getZip() {
        return zip;
    }
}
