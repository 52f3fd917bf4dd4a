package io.fieldcrypt.hibernate.testing;

import io.fieldcrypt.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Plain SQL on a test database, behind Hibernate's back: setting rows up and looking at what is stored. */
public final class Sql {

    private Sql() {}

    /** Runs one statement. */
    public static void execute(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** @return the first column of the first row of {@code sql}, as a number */
    public static long number(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** @return the first column of the first row of {@code sql}, as text */
    public static String text(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** @return the innermost cause of {@code thrown} (a refused boot wraps fieldcrypt's exception) */
    public static Throwable rootCause(Throwable thrown) {
        Throwable root = thrown;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }
}
