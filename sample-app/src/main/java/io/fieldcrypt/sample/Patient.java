package io.fieldcrypt.sample;

import io.fieldcrypt.hibernate.BlindIndex;
import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Version;
import java.time.LocalDate;

/** A clinic's patient: encrypted personal data next to plain attributes. */
@Entity
public class Patient {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "patient_seq")
    @SequenceGenerator(name = "patient_seq", allocationSize = 100)
    Long id;

    @Version
    int version;

    /** Plain: the name the reception desk calls out. */
    String displayName;

    /** Plain: for statistics. */
    String city;

    @Encrypted
    String nationalId;

    /** The query handle of a blind index over {@link #nationalId}: finds patients by it, whatever its separators. */
    @BlindIndex(source = "nationalId", transform = BlindIndex.Transform.DIGITS)
    @Column(name = "national_id_bidx")
    String nationalIdIndex;

    @Encrypted
    LocalDate dateOfBirth;

    @Encrypted(storage = Encrypted.Storage.TEXT)
    @Column(length = 2000)
    String diagnosisNotes;

    @Encrypted
    String insuranceNumber;

    protected Patient() {}

    Patient(
            String displayName,
            String city,
            String nationalId,
            LocalDate dateOfBirth,
            String diagnosisNotes,
            String insuranceNumber) {
        this.displayName = displayName;
        this.city = city;
        this.nationalId = nationalId;
        this.dateOfBirth = dateOfBirth;
        this.diagnosisNotes = diagnosisNotes;
        this.insuranceNumber = insuranceNumber;
    }

    /** A made-up patient number {@code i}, the same every time. */
    static Patient sample(int i) {
        String[] cities = {"Lyon", "Porto", "Gdansk", "Turku", "Leipzig"};
        String[] notes = {
            "seasonal allergy",
            "sprained ankle, rest two weeks",
            "hypertension, follow up in 3 months",
            "routine check-up",
            "migraine, prescribed rest"
        };
        return new Patient(
                "Patient " + i,
                cities[i % cities.length],
                String.format("%03d-%02d-%04d", 100 + i % 800, i % 100, i % 10_000),
                LocalDate.of(1940, 1, 1).plusDays((i * 37L) % 25_000),
                notes[i % notes.length],
                "INS-" + (100_000 + i));
    }
}
