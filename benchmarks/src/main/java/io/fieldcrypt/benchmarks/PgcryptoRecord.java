package io.fieldcrypt.benchmarks;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.hibernate.annotations.ColumnTransformer;

/**
 * The classic alternative: pgcrypto's {@code pgp_sym_encrypt} with its default options, in the database, through
 * {@code @ColumnTransformer}. The passphrase travels in every statement; it is here only to be measured.
 */
@Entity
public class PgcryptoRecord extends RecordBase {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "pgcrypto_seq")
    @SequenceGenerator(name = "pgcrypto_seq", allocationSize = 500)
    public Long id;

    @Column(columnDefinition = "bytea")
    @ColumnTransformer(
            read = "pgp_sym_decrypt(secretName, 'bench-passphrase')",
            write = "pgp_sym_encrypt(?, 'bench-passphrase')")
    public String secretName;

    @Column(columnDefinition = "bytea")
    @ColumnTransformer(
            read = "cast(pgp_sym_decrypt(secretDate, 'bench-passphrase') as date)",
            write = "pgp_sym_encrypt(cast(? as text), 'bench-passphrase')")
    public LocalDate secretDate;

    @Column(columnDefinition = "bytea")
    @ColumnTransformer(
            read = "cast(pgp_sym_decrypt(secretAmount, 'bench-passphrase') as numeric)",
            write = "pgp_sym_encrypt(cast(? as text), 'bench-passphrase')")
    public BigDecimal secretAmount;

    @Override
    void secrets(String name, LocalDate date, BigDecimal amount) {
        secretName = name;
        secretDate = date;
        secretAmount = amount;
    }

    @Override
    String secretName() {
        return secretName;
    }

    @Override
    void secretName(String name) {
        secretName = name;
    }
}
