package io.fieldcrypt.benchmarks;

import io.fieldcrypt.hibernate.BlindIndex;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** {@link BenchRecord} with a full-length blind index over its encrypted name, with a B-tree index on it. */
@Entity
@Table(indexes = @Index(name = "indexed_record_bidx", columnList = "secret_name_bidx"))
public class IndexedRecord extends EncryptedSecrets {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "indexed_seq")
    @SequenceGenerator(name = "indexed_seq", allocationSize = 500)
    public Long id;

    @BlindIndex(source = "secretName")
    @Column(name = "secret_name_bidx")
    public String secretNameIndex;
}
