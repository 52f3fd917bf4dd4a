package io.fieldcrypt.hibernate.data;

import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.model.PatientView;
import jakarta.data.repository.Delete;
import jakarta.data.repository.Find;
import jakarta.data.repository.Insert;
import jakarta.data.repository.Query;
import jakarta.data.repository.Repository;
import jakarta.data.repository.Save;
import jakarta.data.repository.Update;
import java.util.List;
import java.util.Optional;

/**
 * A Jakarta Data repository over an entity with encrypted attributes; Hibernate's annotation processor generates
 * {@code PatientRepository_}, which runs every method on a {@code StatelessSession}.
 */
@Repository
public interface PatientRepository {

    @Find
    Optional<Patient> byId(Long id);

    @Find
    List<Patient> byName(String name);

    /** Refused when called: its parameter would reach SQL in plain. */
    @Find
    List<Patient> byNationalId(String nationalId);

    @Query("select nationalId from Patient where id = :id")
    String nationalIdOf(Long id);

    @Query("select new io.fieldcrypt.hibernate.model.PatientView(id, nationalId, dateOfBirth) from Patient"
            + " where name = :name order by id")
    List<PatientView> viewsOf(String name);

    @Insert
    void insert(Patient patient);

    @Update
    void update(Patient patient);

    @Save
    void save(Patient patient);

    @Delete
    void delete(Patient patient);
}
