package io.fieldcrypt.sample;

import io.fieldcrypt.hibernate.BlindIndex;
import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A referral from before the clinic encrypted anything: its table held the contact e-mail in plain, and the
 * {@code migrate} command brings it under encryption in place.
 */
@Entity
@Table(name = "referral")
public class Referral {

    @Id
    Long id;

    /** Plain: who was referred. */
    @Column(name = "patient_name")
    String patientName;

    @Encrypted(storage = Encrypted.Storage.TEXT)
    @Column(name = "contact_email", length = 1000)
    String contactEmail;

    @BlindIndex(source = "contactEmail", transform = BlindIndex.Transform.CASEFOLD)
    @Column(name = "contact_email_bidx")
    String contactEmailIndex;

    protected Referral() {}
}
