package io.fieldcrypt.hibernate.lifecycle.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** The clinic application's entity; scope {@code lc_clinic_patient.diagnosis}. */
@Entity
@Table(name = "lc_clinic_patient")
public class ClinicPatient {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_clinic_patient_seq")
    @SequenceGenerator(name = "lc_clinic_patient_seq", sequenceName = "lc_clinic_patient_seq", allocationSize = 1)
    public Long id;

    @Encrypted
    public String diagnosis;

    public ClinicPatient() {}

    public ClinicPatient(String diagnosis) {
        this.diagnosis = diagnosis;
    }
}
