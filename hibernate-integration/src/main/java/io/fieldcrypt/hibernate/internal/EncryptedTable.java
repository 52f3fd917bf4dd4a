package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.Envelope;
import io.fieldcrypt.spi.ConnectionSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
record EncryptedTable(
        String sqlName,
        String aadTable,
        List<String> keyColumns,
        String idEntity,
        String aadEntity,
        Set<String> entityNames,
        List<Column> columns) {

    /**
     * One encrypted column.
     *
     * @param label {@code Entity.attribute}, for reports
     * @param sqlName the column name for SQL
     * @param aadColumn the column name bound into the values
     * @param text whether it stores the text form of envelopes
     * @param scope the data key scope new values are sealed under
     * @param scopes the scopes whose data keys may open its values: {@code scope} and its previous scopes
     * @param legacy the column it migrates from ({@code @Encrypted(migrateFrom)}), or {@code null}
     */
    record Column(
            String label,
            String sqlName,
            String aadColumn,
            boolean text,
            String scope,
            Set<String> scopes,
            LegacyColumn legacy) {

        /**
         * A SQL condition: the row holds legacy plaintext of this column, in the column it migrates from or, for a
         * text column, as a value without the envelope marker; {@code null} if it can hold none (a binary column
         * that migrates from nothing).
         */
        String plaintextLeftSql() {
            if (legacy != null) {
                return legacy.sqlName() + " is not null";
            }
            return text ? sqlName + " is not null and " + sqlName + " not like '" + Envelope.TEXT_PREFIX + "%'" : null;
        }

        /** A SQL expression giving the data key id of this column's value, or NULL if it is not an envelope. */
        String dataKeyIdSql() {
            return EnvelopeSql.dataKeyId(sqlName, text);
        }

        /** A SQL expression giving the format version of this column's value, or NULL if it is not an envelope. */
        String versionSql() {
            return EnvelopeSql.version(sqlName, text);
        }

        /**
         * A SQL condition: this column's value should move, under one of the keys bound as a {@code bigint[]}
         * parameter or in format version 1.
         */
        String toMoveSql() {
            return "(" + dataKeyIdSql() + " = any(?) or " + versionSql() + " = " + Envelope.Version.V1.wireValue()
                    + ")";
        }
    }

    /**
     * A SQL condition: some encrypted column of the row holds a value that should move, under one of the keys bound
     * as that column's parameter (one {@code bigint[]} per column, in column order) or in format version 1.
     */
    String anyColumnToMoveSql() {
        StringBuilder sql = new StringBuilder("(");
        for (Column column : columns) {
            sql.append(sql.length() > 1 ? " or " : "").append(column.toMoveSql());
        }
        return sql.append(')').toString();
    }

    /**
     * The batch query of the re-encryption job: the key and encrypted columns of the next rows holding a value to
     * move, in key order, locked {@code FOR UPDATE SKIP LOCKED}. Parameters: the cursor's key parts (as text, cast to
     * {@code keyTypes}) if {@code afterCursor}, then each column's keys to move, then the batch size.
     */
    String selectToMoveSql(List<String> keyTypes, boolean afterCursor) {
        String keys = String.join(", ", keyColumns);
        StringBuilder sql = new StringBuilder("select ").append(keys);
        columns.forEach(c -> sql.append(", ").append(c.sqlName()));
        sql.append(" from ").append(sqlName).append(" where ");
        if (afterCursor) {
            sql.append('(').append(keys).append(") > (").append(casts(keyTypes)).append(") and ");
        }
        return sql.append(anyColumnToMoveSql())
                .append(" order by ")
                .append(keys)
                .append(" limit ? for update skip locked")
                .toString();
    }

    /** How many values of {@code column} should move. Parameter: the column's keys to move. */
    String countToMoveSql(Column column) {
        return "select count(*) from " + sqlName + " where " + column.toMoveSql();
    }

    /** How many rows hold a value to move. Parameters: each column's keys to move. */
    String countToMoveSql() {
        return "select count(*) from " + sqlName + " where " + anyColumnToMoveSql();
    }

    /**
     * The update of the {@code rewritten} columns of one row the job holds locked. Parameters: their new values,
     * the key parts (as text, cast to {@code keyTypes}).
     */
    String updateSql(List<String> keyTypes, boolean[] rewritten) {
        StringBuilder set = new StringBuilder();
        for (int c = 0; c < columns.size(); c++) {
            if (rewritten[c]) {
                set.append(set.length() == 0 ? "" : ", ")
                        .append(columns.get(c).sqlName())
                        .append(" = ?");
            }
        }
        return "update " + sqlName + " set " + set + " where (" + String.join(", ", keyColumns) + ") = ("
                + casts(keyTypes) + ")";
    }

    /** @return the PostgreSQL types of the key columns, to cast the text form of keys back */
    List<String> keyTypes(ConnectionSource connections) {
        return Jdbc.inTransaction(connections, "read the key types of " + sqlName, connection -> {
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery(
                            "select " + String.join(", ", keyColumns) + " from " + sqlName + " where false")) {
                ResultSetMetaData meta = rs.getMetaData();
                List<String> types = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    types.add(meta.getColumnTypeName(i));
                }
                return types;
            }
        });
    }

    /**
     * Binds the text form of {@code cursor}'s key parts (none if it is {@code null}) from parameter 1.
     *
     * @return the next parameter index
     */
    static int bindCursor(PreparedStatement statement, String[] cursor) throws SQLException {
        int p = 1;
        if (cursor != null) {
            for (String part : cursor) {
                statement.setString(p++, part);
            }
        }
        return p;
    }

    /** @return the text form of the row's key, read from the first columns of {@code rs} */
    String[] keyText(ResultSet rs) throws SQLException {
        String[] key = new String[keyColumns.size()];
        for (int i = 0; i < key.length; i++) {
            key[i] = rs.getString(i + 1);
        }
        return key;
    }

    /** {@code cast(? as "<type>")} for each of {@code types}, comma-separated. */
    static String casts(List<String> types) {
        StringBuilder casts = new StringBuilder();
        for (String type : types) {
            casts.append(casts.length() == 0 ? "" : ", ")
                    .append("cast(? as \"")
                    .append(type)
                    .append("\")");
        }
        return casts.toString();
    }
}
