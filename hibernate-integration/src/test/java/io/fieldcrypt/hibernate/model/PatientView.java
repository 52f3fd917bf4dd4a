package io.fieldcrypt.hibernate.model;

import java.time.LocalDate;

/** A DTO for constructor expressions: {@code select new ...PatientView(p.id, p.nationalId, p.dateOfBirth)}. */
public record PatientView(Long id, String nationalId, LocalDate dateOfBirth) {}
