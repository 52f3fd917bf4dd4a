package io.fieldcrypt.springdata;

import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

/** A Spring Data JPA repository over an entity with encrypted attributes: derived queries and projections. */
public interface CustomerRepository extends Repository<Customer, Long> {

    /** An interface projection: Spring Data selects these attributes as a tuple. */
    interface Summary {
        Long getId();

        String getNationalId();

        String getEmail();

        LocalDate getBirthDate();
    }

    Customer save(Customer customer);

    Optional<Customer> findById(Long id);

    List<Summary> findSummaryByName(String name);

    List<CustomerView> findViewByName(String name);

    <T> List<T> findByNameOrderById(String name, Class<T> type);

    @Query("select c.nationalId from Customer c where c.id = :id")
    String nationalIdOf(@Param("id") Long id);

    /** Derived queries on a blind index handle take the plaintext. */
    Optional<Customer> findByEmailIndex(String email);

    List<Customer> findByEmailIndexIn(Collection<String> emails);

    boolean existsByEmailIndex(String email);

    List<Summary> findSummaryByEmailIndex(String email);

    /** Derived queries on a truncated blind index: answered by fieldcrypt's lookup (BlindIndexRepositories). */
    List<Customer> findByNationalIdIndex(String nationalId);

    Optional<Customer> readByNationalIdIndex(String nationalId);

    boolean existsByNationalIdIndex(String nationalId);

    long countByNationalIdIndex(String nationalId);

    /** A projection: refused on a truncated index (the lookup gives entities). */
    List<Summary> queryByNationalIdIndex(String nationalId);

    /** A declared query with the name of a derived one: left as written, and refused when compiled. */
    @Query("select c from Customer c where c.nationalIdIndex = ?1 and c.name = 'nobody'")
    List<Customer> searchByNationalIdIndex(String nationalId);

    /** More than the one condition: refused on a truncated index. */
    List<Customer> findByNationalIdIndexAndName(String nationalId, String name);

    /** Refused when the query is compiled: its parameter would reach SQL in plain. */
    List<Customer> findByNationalId(String nationalId);
}
