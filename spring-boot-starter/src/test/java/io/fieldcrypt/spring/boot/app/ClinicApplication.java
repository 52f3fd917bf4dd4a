package io.fieldcrypt.spring.boot.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The test application: Spring Data JPA, Flyway and fieldcrypt's starter, nothing configured by hand. */
@SpringBootApplication
public class ClinicApplication {}
