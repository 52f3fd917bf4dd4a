package io.fieldcrypt.hibernate.lifecycle.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** An entity written in a transaction held open across a key destruction; scope {@code lc_ledger.amount}. */
@Entity
@Table(name = "lc_ledger")
public class LedgerEntry {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_ledger_seq")
    @SequenceGenerator(name = "lc_ledger_seq", sequenceName = "lc_ledger_seq", allocationSize = 1)
    public Long id;

    @Encrypted
    public String amount;

    public LedgerEntry() {}

    public LedgerEntry(String amount) {
        this.amount = amount;
    }
}
