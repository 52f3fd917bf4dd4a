package io.fieldcrypt.hibernate.internal;

import java.util.List;
import java.util.Set;

/**
 * A table holding encrypted columns, as the maintenance jobs (re-encryption, status, destroy) see it: plain SQL
 * names, the key columns in the order that forms the canonical id, and the encrypted columns.
 *
 * @param sqlName the qualified, quoted-as-needed table name
 * @param keyColumns the primary key columns, in canonical id order
 * @param compositeKey whether the id is composite (a JSON array) rather than a single value
 * @param aadEntity the entity name bound into the values
 * @param entityNames the entities whose second-level cache holds rows of this table
 * @param columns the encrypted columns
 */
record EncryptedTable(String sqlName, List<String> keyColumns, boolean compositeKey, String aadEntity,
        Set<String> entityNames, List<Column> columns) {

    /**
     * One encrypted column.
     *
     * @param label {@code Entity.attribute}, for reports
     * @param sqlName the column name for SQL
     * @param aadColumn the column name bound into the values
     * @param text whether it stores the text form of envelopes
     * @param scope the data key scope
     */
    record Column(String label, String sqlName, String aadColumn, boolean text, String scope) {

        /** A SQL expression giving the data key id of this column's value, or NULL if it is not an envelope. */
        String dataKeyIdSql() {
            if (text) {
                return "(case when " + sqlName + " ~ '^fc1:[A-Za-z0-9_-]{16}' then ('x' || encode(substring(decode("
                        + "translate(substring(" + sqlName + " from 5 for 16), '-_', '+/'), 'base64') from 4 for 8),"
                        + " 'hex'))::bit(64)::bigint end)";
            }
            return "(case when octet_length(" + sqlName + ") >= 39 then ('x' || encode(substring(" + sqlName
                    + " from 4 for 8), 'hex'))::bit(64)::bigint end)";
        }
    }

    /** A SQL condition: some encrypted column of the row holds a value under one of the keys bound as parameters. */
    String anyColumnUnderKeysSql() {
        StringBuilder sql = new StringBuilder("(");
        for (Column column : columns) {
            sql.append(sql.length() > 1 ? " or " : "").append(column.dataKeyIdSql()).append(" = any(?)");
        }
        return sql.append(')').toString();
    }
}
