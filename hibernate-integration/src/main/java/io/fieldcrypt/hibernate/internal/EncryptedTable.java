package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.Envelope;
import java.util.List;
import java.util.Set;

/**
 * A table holding encrypted columns, as the maintenance jobs (re-encryption, status, destroy) see it: plain SQL
 * names, the key columns in the order that forms the canonical id, and the encrypted columns.
 *
 * @param sqlName the qualified, quoted-as-needed table name
 * @param aadTable the unqualified table name bound into the values
 * @param keyColumns the primary key columns, in canonical id order
 * @param idEntity an entity whose id the key columns hold, to find its {@link CanonicalId}
 * @param aadEntity the entity name bound into the values
 * @param entityNames the entities whose second-level cache holds rows of this table
 * @param columns the encrypted columns
 */
record EncryptedTable(String sqlName, String aadTable, List<String> keyColumns, String idEntity, String aadEntity,
        Set<String> entityNames, List<Column> columns) {

    /**
     * One encrypted column.
     *
     * @param label {@code Entity.attribute}, for reports
     * @param sqlName the column name for SQL
     * @param aadColumn the column name bound into the values
     * @param text whether it stores the text form of envelopes
     * @param scope the data key scope new values are sealed under
     * @param scopes the scopes whose data keys may open its values: {@code scope} and its previous scopes
     */
    record Column(String label, String sqlName, String aadColumn, boolean text, String scope, Set<String> scopes) {

        /** A SQL expression giving the data key id of this column's value, or NULL if it is not an envelope. */
        String dataKeyIdSql() {
            return EnvelopeSql.dataKeyId(sqlName, text);
        }

        /** A SQL expression giving the format version of this column's value, or NULL if it is not an envelope. */
        String versionSql() {
            return EnvelopeSql.version(sqlName, text);
        }
    }

    /**
     * A SQL condition: some encrypted column of the row holds a value that should move, under one of the keys bound
     * as that column's parameter (one {@code bigint[]} per column, in column order) or in format version 1.
     */
    String anyColumnToMoveSql() {
        StringBuilder sql = new StringBuilder("(");
        for (Column column : columns) {
            sql.append(sql.length() > 1 ? " or " : "").append(column.dataKeyIdSql()).append(" = any(?) or ")
                    .append(column.versionSql()).append(" = ").append(Envelope.Version.V1.wireValue());
        }
        return sql.append(')').toString();
    }
}
