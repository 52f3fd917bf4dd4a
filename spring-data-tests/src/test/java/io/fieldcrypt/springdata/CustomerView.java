package io.fieldcrypt.springdata;

import java.time.LocalDate;

/** A DTO projection: Spring Data derives a constructor expression from its components. */
public record CustomerView(Long id, String nationalId, LocalDate birthDate) {}
