package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.SchemaMode;
import io.fieldcrypt.spi.ConnectionSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The checkpoint table of fieldcrypt's jobs, {@code <data key table>_checkpoint}: per job name and entity table, the
 * last primary key done (as text), so that a stopped run resumes after it. It holds no key material and no values.
 * Created or validated at boot as the schema mode says, next to the data key table.
 */
final class Checkpoints {

    private static final String DDL_RESOURCE = "/io/fieldcrypt/hibernate/schema/checkpoint.sql";

    private final ConnectionSource connections;
    private final String table;

    private Checkpoints(ConnectionSource connections, String table) {
        this.connections = connections;
        this.table = table;
    }

    /**
     * @param connections where connections come from
     * @param dataKeyTable the data key table's name, already checked to be a plain (optionally qualified) identifier
     * @param mode what to do with the table now
     * @return the checkpoints, their table created or validated
     * @throws ConfigurationException if the table is missing under {@link SchemaMode#VALIDATE}
     */
    static Checkpoints open(ConnectionSource connections, String dataKeyTable, SchemaMode mode) {
        Checkpoints checkpoints = new Checkpoints(connections, dataKeyTable + "_checkpoint");
        switch (mode) {
            case CREATE ->
                checkpoints.inTransaction("create", connection -> {
                    try (PreparedStatement lock =
                            connection.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
                        // Instances starting at once must not race on "create table if not exists".
                        lock.setString(1, "fieldcrypt:" + checkpoints.table);
                        lock.execute();
                    }
                    try (Statement ddl = connection.createStatement()) {
                        ddl.execute(ddl(checkpoints.table));
                    }
                    return null;
                });
            case VALIDATE -> checkpoints.validate();
            case NONE -> {}
        }
        return checkpoints;
    }

    /**
     * @param table the checkpoint table's name
     * @return the DDL that creates it, as shipped in the jar
     */
    static String ddl(String table) {
        try (InputStream in = Checkpoints.class.getResourceAsStream(DDL_RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${table}", table);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DDL_RESOURCE, e);
        }
    }

    /** @return the last key a run of {@code job} finished in {@code entityTable}, or null to start from the top */
    String[] read(String job, String entityTable, int keyParts) {
        String[] last = inTransaction("read the checkpoint of " + entityTable + " from", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "select last_key from " + table + " where job = ? and table_name = ?")) {
                select.setString(1, job);
                select.setString(2, entityTable);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? (String[]) rs.getArray(1).getArray() : null;
                }
            }
        });
        // A checkpoint this job did not write (another shape of key): start the table again rather than fail
        // every run. Jobs are idempotent: rows already done are not selected again.
        return last != null && last.length == keyParts ? last : null;
    }

    /** Saves {@code last} as the checkpoint of {@code job} in {@code entityTable}, in the caller's transaction. */
    void save(Connection connection, String job, String entityTable, String[] last) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("insert into " + table
                + " (job, table_name, last_key, updated_at) values (?, ?, ?, now()) on conflict (job, table_name)"
                + " do update set last_key = excluded.last_key, updated_at = excluded.updated_at")) {
            upsert.setString(1, job);
            upsert.setString(2, entityTable);
            upsert.setArray(3, connection.createArrayOf("text", last));
            upsert.executeUpdate();
        }
    }

    /** Forgets the checkpoint of {@code job} in {@code entityTable}: the table is done. */
    void clear(String job, String entityTable) {
        inTransaction("clear the checkpoint of " + entityTable + " in", connection -> {
            try (PreparedStatement delete =
                    connection.prepareStatement("delete from " + table + " where job = ? and table_name = ?")) {
                delete.setString(1, job);
                delete.setString(2, entityTable);
                return delete.executeUpdate();
            }
        });
    }

    private void validate() {
        boolean exists = inTransaction("validate", connection -> {
            try (PreparedStatement select = connection.prepareStatement("select to_regclass(?) is not null")) {
                select.setString(1, table);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
        if (!exists) {
            throw new ConfigurationException("the checkpoint table " + table + " does not exist: create it with the"
                    + " DDL in docs/SCHEMA.md, or let fieldcrypt create it (schema mode CREATE)");
        }
    }

    private <T> T inTransaction(String what, ConnectionSource.Work<T> work) {
        return Jdbc.inTransaction(connections, what + " checkpoint table " + table, work);
    }

    @Override
    public String toString() {
        return "Checkpoints[" + table + "]";
    }
}
