package io.fieldcrypt.hibernate;

import io.fieldcrypt.spi.DataKeyCount;
import java.util.List;
import java.util.Map;

/**
 * The state of encryption in one entity manager factory.
 *
 * @param dataKeys how many data keys of the factory's scopes are in each state under each master key
 * @param valuesUnderRetiredKeys for each encrypted attribute ({@code Entity.attribute}), how many stored values the
 *     re-encryption job would still move: under a retired data key, under a data key of one of the attribute's
 *     previous scopes, or in envelope format version 1; all zero once re-encryption is complete
 * @param plaintextValues during a migration, for each attribute listed in
 *     {@value FieldCryptSettings#MIGRATION_READ_PLAINTEXT}, how many stored values are still plaintext (without the
 *     envelope marker, or in the column it migrates from); empty outside a migration
 */
public record FieldCryptStatus(
        List<DataKeyCount> dataKeys, Map<String, Long> valuesUnderRetiredKeys, Map<String, Long> plaintextValues) {

    /**
     * @throws NullPointerException if an argument is null
     */
    public FieldCryptStatus {
        dataKeys = List.copyOf(dataKeys);
        valuesUnderRetiredKeys = Map.copyOf(valuesUnderRetiredKeys);
        plaintextValues = Map.copyOf(plaintextValues);
    }

    /** @return values under retired keys, all attributes together */
    public long totalValuesUnderRetiredKeys() {
        return valuesUnderRetiredKeys.values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }
}
