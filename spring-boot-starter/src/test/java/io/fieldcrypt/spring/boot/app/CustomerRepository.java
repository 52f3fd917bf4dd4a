package io.fieldcrypt.spring.boot.app;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

/** Derived queries on blind indexes, and projections of encrypted attributes. */
public interface CustomerRepository extends JpaRepository<Customer, Long> {

    /** An interface projection. */
    interface Contact {
        String getName();

        String getEmail();
    }

    /** A DTO projection. */
    record Postal(String name, String zip) {}

    List<Customer> findByEmailIndex(String email);

    /** A truncated handle: answered by the starter's Spring Data support, checking each candidate's zip. */
    List<Customer> findByZipIndex(String zip);

    List<Contact> findContactByName(String name);

    List<Postal> findPostalByName(String name);
}
