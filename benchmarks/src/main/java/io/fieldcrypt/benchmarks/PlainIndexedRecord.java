package io.fieldcrypt.benchmarks;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** {@link PlainRecord} with a B-tree index on its name: the baseline of a lookup by a blind index. */
@Entity
@Table(indexes = @Index(name = "plain_indexed_record_name", columnList = "secretName"))
public class PlainIndexedRecord extends PlainSecrets {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "plain_indexed_seq")
    @SequenceGenerator(name = "plain_indexed_seq", allocationSize = 500)
    public Long id;
}
