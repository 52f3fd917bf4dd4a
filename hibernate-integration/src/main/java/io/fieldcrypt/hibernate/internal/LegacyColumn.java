package io.fieldcrypt.hibernate.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The column an attribute migrates from ({@code @Encrypted(migrateFrom = ...)}): legacy plaintext, typed as the
 * column always was. fieldcrypt reads it as text in a form that no session setting changes ({@code DateStyle},
 * {@code TimeZone}, {@code bytea_output}, {@code extra_float_digits}): temporal values as their seconds since the
 * epoch ({@code extract(epoch ...)}, exact to the microsecond), {@code bytea} as hex, everything else as PostgreSQL's
 * own text of the value; and turns that text into the attribute's value.
 *
 * @param sqlName the column's name, ready for SQL
 * @param javaType the attribute's Java type
 */
record LegacyColumn(String sqlName, Class<?> javaType) {

    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
    private static final BigDecimal SECONDS_PER_DAY = BigDecimal.valueOf(86_400L);
    private static final Set<String> INTEGERS = Set.of("int2", "int4", "int8", "numeric");
    /** Text columns whose text is the value as stored ({@code char(n)} is not: a cast drops its padding). */
    private static final Set<String> TEXTS = Set.of("varchar", "text");
    /** Built-in types, each read (if at all) as another attribute type: not an enum's label. */
    private static final Set<String> BUILT_IN = Set.of(
            "bool",
            "bpchar",
            "bytea",
            "date",
            "float4",
            "float8",
            "interval",
            "json",
            "jsonb",
            "money",
            "numeric",
            "time",
            "timetz",
            "timestamp",
            "timestamptz",
            "uuid",
            "xml");

    /**
     * @param column the column, qualified as the query needs it
     * @param letterCase the letter case to write SQL words in (see {@link RowBoundRead#expression})
     * @return an SQL expression of the column's value as text, NULL when it is NULL
     */
    String textSql(String column, UnaryOperator<String> letterCase) {
        if (temporal()) {
            return letterCase.apply("cast(extract(epoch from ") + column + letterCase.apply(") as text)");
        }
        if (javaType == byte[].class) {
            return letterCase.apply("encode(") + column + letterCase.apply(",'hex')");
        }
        return letterCase.apply("cast(") + column + letterCase.apply(" as text)");
    }

    /** @return {@link #textSql} of the bare column, in lower case, for the jobs' own queries */
    String textSql() {
        return textSql(sqlName, UnaryOperator.identity());
    }

    /**
     * @param typeName the column's PostgreSQL type name ({@code ResultSetMetaData.getColumnTypeName})
     * @return whether fieldcrypt reads a value of that type as a value of {@link #javaType}
     */
    boolean accepts(String typeName) {
        String type = typeName.toLowerCase(Locale.ROOT);
        if (javaType.isEnum() && !BUILT_IN.contains(type)) {
            return true; // a PostgreSQL enum type, whose text is the label
        }
        return expectedTypes().contains(type);
    }

    /** @return whether the values are read through {@code extract(epoch ...)} (exact from PostgreSQL 14) */
    boolean temporal() {
        Class<?> type = boxed();
        return type == LocalDate.class
                || type == LocalDateTime.class
                || type == LocalTime.class
                || type == Instant.class
                || type == OffsetDateTime.class;
    }

    /** @return the PostgreSQL types {@link #accepts} */
    Set<String> expectedTypes() {
        Class<?> type = boxed();
        if (type == Integer.class || type == Long.class || type == Short.class || type == BigInteger.class) {
            return INTEGERS;
        }
        if (type == BigDecimal.class) {
            return Set.of("numeric", "int2", "int4", "int8");
        }
        if (type == Boolean.class) {
            return Set.of("bool");
        }
        if (type == UUID.class) {
            return Set.of("uuid", "varchar", "text");
        }
        if (type == LocalDate.class) {
            return Set.of("date");
        }
        if (type == LocalDateTime.class) {
            return Set.of("timestamp", "date");
        }
        if (type == LocalTime.class) {
            return Set.of("time");
        }
        if (type == Instant.class || type == OffsetDateTime.class) {
            return Set.of("timestamptz");
        }
        if (type == byte[].class) {
            return Set.of("bytea");
        }
        if (type.isEnum()) {
            return Set.of("varchar", "text", "int2", "int4", "int8");
        }
        return TEXTS;
    }

    /**
     * @param text what {@link #textSql} made of a value
     * @return the attribute's value
     * @throws IllegalArgumentException or {@link ArithmeticException} if it is not one (infinite dates, NaN, a number
     *     out of the type's range, no such enum constant); the message never quotes the value
     */
    Object parse(String text) {
        try {
            return parseValue(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a " + javaType.getSimpleName() + " fieldcrypt can read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object parseValue(String text) {
        Class<?> type = boxed();
        if (type == String.class) {
            return text;
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            // A constant's name cannot start with a digit: digits are an ordinal (EnumType.ORDINAL).
            return !text.isEmpty() && Character.isDigit(text.charAt(0))
                    ? constants[Integer.parseInt(text)]
                    : Enum.valueOf((Class) type, text);
        }
        if (type == byte[].class) {
            return HexFormat.of().parseHex(text);
        }
        if (type == Boolean.class) {
            return switch (text) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException();
            };
        }
        if (type == UUID.class) {
            return UUID.fromString(text.trim());
        }
        BigDecimal number = new BigDecimal(text);
        if (type == BigDecimal.class) {
            return number;
        }
        if (type == BigInteger.class) {
            return number.toBigIntegerExact();
        }
        if (type == Long.class) {
            return number.longValueExact();
        }
        if (type == Integer.class) {
            return number.intValueExact();
        }
        if (type == Short.class) {
            return number.shortValueExact();
        }
        BigDecimal wholeSeconds = number.setScale(0, RoundingMode.FLOOR);
        long seconds = wholeSeconds.longValueExact();
        int nanos = number.subtract(wholeSeconds).multiply(NANOS_PER_SECOND).intValueExact();
        if (type == LocalDate.class) {
            return LocalDate.ofEpochDay(number.divide(SECONDS_PER_DAY).longValueExact());
        }
        if (type == LocalDateTime.class) {
            return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
        }
        if (type == LocalTime.class) {
            return LocalTime.ofNanoOfDay(number.multiply(NANOS_PER_SECOND).longValueExact());
        }
        if (type == Instant.class) {
            return Instant.ofEpochSecond(seconds, nanos);
        }
        if (type == OffsetDateTime.class) {
            return Instant.ofEpochSecond(seconds, nanos).atOffset(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException();
    }

    private Class<?> boxed() {
        if (!javaType.isPrimitive()) {
            return javaType;
        }
        return switch (javaType.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "short" -> Short.class;
            case "boolean" -> Boolean.class;
            default -> javaType;
        };
    }
}
