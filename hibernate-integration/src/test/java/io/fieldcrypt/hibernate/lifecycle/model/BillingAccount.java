package io.fieldcrypt.hibernate.lifecycle.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** The billing application's entity, sharing the clinic's data key table; scope {@code lc_billing_account.iban}. */
@Entity
@Table(name = "lc_billing_account")
public class BillingAccount {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "lc_billing_account_seq")
    @SequenceGenerator(name = "lc_billing_account_seq", sequenceName = "lc_billing_account_seq", allocationSize = 1)
    public Long id;

    @Encrypted
    public String iban;

    public BillingAccount() {}

    public BillingAccount(String iban) {
        this.iban = iban;
    }
}
