package io.fieldcrypt.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What {@link LegacyColumn} makes of each legacy column type on real PostgreSQL, with session settings chosen to
 * change the default text forms ({@code TimeZone}, {@code bytea_output}; the JDBC driver insists on an ISO
 * {@code DateStyle}): the same value as the attribute would have had.
 */
@ExtendWith(TestPostgres.class)
class LegacyColumnTest {

    enum Colour {
        RED,
        GREEN
    }

    @Test
    void everyTypeReadsBackAsTheAttributesValue_whateverTheSessionsTimeZoneAndByteaOutput(TestDatabase db)
            throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            st.execute("set timezone = 'Asia/Kolkata'");
            st.execute("set bytea_output = 'escape'");

            assertThat(read(st, String.class, "'Zoë ''x'''::varchar(20)")).isEqualTo("Zoë 'x'");
            assertThat(read(st, Integer.class, "-42::int4")).isEqualTo(-42);
            assertThat(read(st, Long.class, "9000000000::int8")).isEqualTo(9_000_000_000L);
            assertThat(read(st, Short.class, "7::numeric(5, 2)")).isEqualTo((short) 7);
            assertThat(read(st, BigInteger.class, "123456789012345678901234567890::numeric"))
                    .isEqualTo(new BigInteger("123456789012345678901234567890"));
            assertThat(read(st, BigDecimal.class, "12.50::numeric(12, 2)")).isEqualTo(new BigDecimal("12.50"));
            assertThat(read(st, Boolean.class, "true")).isEqualTo(true);
            assertThat(read(st, UUID.class, "'3F2504E0-4F89-11D3-9A0C-0305E82C3301'::uuid"))
                    .isEqualTo(UUID.fromString("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
            assertThat(read(st, LocalDate.class, "'1815-12-10'::date")).isEqualTo(LocalDate.of(1815, 12, 10));
            assertThat(read(st, LocalDate.class, "'0044-03-15 BC'::date")).isEqualTo(LocalDate.of(-43, 3, 15));
            assertThat(read(st, LocalDateTime.class, "'1969-12-31 23:59:59.123456'::timestamp"))
                    .isEqualTo(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 123_456_000));
            assertThat(read(st, LocalTime.class, "'13:14:15.5'::time"))
                    .isEqualTo(LocalTime.of(13, 14, 15, 500_000_000));
            assertThat(read(st, Instant.class, "'2020-02-29 12:00:00.000001+05:30'::timestamptz"))
                    .isEqualTo(Instant.parse("2020-02-29T06:30:00.000001Z"));
            assertThat(read(st, OffsetDateTime.class, "'2020-02-29 12:00:00+05:30'::timestamptz"))
                    .isEqualTo(OffsetDateTime.of(2020, 2, 29, 6, 30, 0, 0, ZoneOffset.UTC));
            assertThat(read(st, byte[].class, "'\\x00ff10'::bytea")).isEqualTo(new byte[] {0, (byte) 0xFF, 0x10});
            assertThat(read(st, Colour.class, "'GREEN'::varchar")).isEqualTo(Colour.GREEN);
            assertThat(read(st, Colour.class, "1::int2")).isEqualTo(Colour.GREEN);
        }
    }

    @Test
    void valuesWithoutAnAttributeValue_areRefusedWithoutQuotingThem(TestDatabase db) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            for (Object[] unreadable : new Object[][] {
                {LocalDate.class, "'infinity'::date"},
                {Instant.class, "'-infinity'::timestamptz"},
                {BigDecimal.class, "'NaN'::numeric"},
                {Integer.class, "1.5::numeric"},
                {Integer.class, "99999999999::int8"},
                {Colour.class, "'BLUE'::varchar"},
                {Colour.class, "7::int4"}
            }) {
                Class<?> type = (Class<?>) unreadable[0];
                String text = text(st, new LegacyColumn("v", type), (String) unreadable[1]);

                assertThatThrownBy(() -> new LegacyColumn("v", type).parse(text))
                        .as(unreadable[1].toString())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("not a " + type.getSimpleName() + " fieldcrypt can read")
                        .hasMessageNotContaining(text);
            }
        }
    }

    @Test
    void columnTypes_acceptedPerAttributeType() {
        assertThat(new LegacyColumn("v", LocalDate.class).accepts("date")).isTrue();
        assertThat(new LegacyColumn("v", LocalDate.class).accepts("varchar")).isFalse();
        assertThat(new LegacyColumn("v", Instant.class).accepts("timestamp")).isFalse();
        assertThat(new LegacyColumn("v", int.class).accepts("int8")).isTrue();
        assertThat(new LegacyColumn("v", String.class).accepts("text")).isTrue();
        assertThat(new LegacyColumn("v", String.class).accepts("bpchar"))
                .as("a cast drops char(n)'s padding")
                .isFalse();
        assertThat(new LegacyColumn("v", String.class).accepts("timestamptz"))
                .as("its text depends on the session's time zone")
                .isFalse();
        assertThat(new LegacyColumn("v", Colour.class).accepts("my_enum_type")).isTrue();
        assertThat(new LegacyColumn("v", Colour.class).accepts("int2")).isTrue();
        assertThat(new LegacyColumn("v", Colour.class).accepts("timestamptz")).isFalse();
    }

    private static Object read(Statement st, Class<?> type, String literal) throws SQLException {
        LegacyColumn column = new LegacyColumn("v", type);
        return column.parse(text(st, column, literal));
    }

    private static String text(Statement st, LegacyColumn column, String literal) throws SQLException {
        try (ResultSet rs = st.executeQuery(
                "select " + column.textSql("v", UnaryOperator.identity()) + " from (select " + literal + " as v) t")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
