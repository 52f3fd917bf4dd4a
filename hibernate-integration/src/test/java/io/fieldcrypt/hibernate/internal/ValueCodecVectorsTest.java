package io.fieldcrypt.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.hibernate.model.Status;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The plaintext encodings of {@code docs/FORMAT.md} ("How the plaintext bytes are made"), as known-answer vectors
 * ({@code vectors/plaintext-encodings.json}) computed by an independent implementation
 * ({@code vectors/generate_values.py}): {@link ValueCodec} must write exactly those bytes and read them back as the
 * same value.
 */
class ValueCodecVectorsTest {

    private static final String RESOURCE = "/vectors/plaintext-encodings.json";
    private static final HexFormat HEX = HexFormat.of();

    /** The vector type names of every type {@link ValueCodec} supports; "Enum" stands for all enums. */
    private static final Set<String> SUPPORTED = Set.of(
            "String",
            "byte[]",
            "Short",
            "Integer",
            "Long",
            "Boolean",
            "BigInteger",
            "BigDecimal",
            "UUID",
            "LocalDate",
            "LocalDateTime",
            "LocalTime",
            "Instant",
            "OffsetDateTime",
            "Enum");

    /**
     * One vector.
     *
     * @param type the vector's type name
     * @param value its {@code value} parsed as Java does
     * @param bytes the expected plaintext bytes
     * @param text its {@code value} as written in the file, for the test name
     */
    record Vector(String type, Object value, byte[] bytes, String text) {
        @Override
        public String toString() {
            return type + " "
                    + text.chars()
                            .mapToObj(c -> c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : Character.toString(c))
                            .collect(Collectors.joining());
        }
    }

    static Stream<Vector> vectors() {
        return Vectors.read(RESOURCE).stream().map(node -> {
            String type = Vectors.text(node, "type");
            String value = Vectors.text(node, "value");
            return new Vector(type, parse(type, value), HEX.parseHex(Vectors.text(node, "bytes")), value);
        });
    }

    /** Parses a vector's {@code value} with the JDK, never with the code under test. */
    private static Object parse(String type, String value) {
        return switch (type) {
            case "String" -> value;
            case "byte[]" -> HEX.parseHex(value);
            case "Short" -> Short.valueOf(value);
            case "Integer" -> Integer.valueOf(value);
            case "Long" -> Long.valueOf(value);
            case "Boolean" -> Boolean.parseBoolean(value);
            case "BigInteger" -> new BigInteger(value);
            case "BigDecimal" -> new BigDecimal(value);
            case "UUID" -> UUID.fromString(value);
            case "LocalDate" -> LocalDate.parse(value);
            case "LocalDateTime" -> LocalDateTime.parse(value);
            case "LocalTime" -> LocalTime.parse(value);
            case "Instant" -> Instant.parse(value);
            case "OffsetDateTime" -> OffsetDateTime.parse(value);
            case "Enum" -> Enum.valueOf(Status.class, value);
            default -> throw new IllegalArgumentException("unknown vector type " + type);
        };
    }

    private static Class<?> javaType(String type) {
        return switch (type) {
            case "String" -> String.class;
            case "byte[]" -> byte[].class;
            case "Short" -> Short.class;
            case "Integer" -> Integer.class;
            case "Long" -> Long.class;
            case "Boolean" -> Boolean.class;
            case "BigInteger" -> BigInteger.class;
            case "BigDecimal" -> BigDecimal.class;
            case "UUID" -> UUID.class;
            case "LocalDate" -> LocalDate.class;
            case "LocalDateTime" -> LocalDateTime.class;
            case "LocalTime" -> LocalTime.class;
            case "Instant" -> Instant.class;
            case "OffsetDateTime" -> OffsetDateTime.class;
            case "Enum" -> Status.class;
            default -> throw new IllegalArgumentException("unknown vector type " + type);
        };
    }

    private static ValueCodec codec(Vector vector) {
        ValueCodec codec = ValueCodec.forType(javaType(vector.type()));
        assertThat(codec).as("codec of %s", vector.type()).isNotNull();
        return codec;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encode_knownAnswer_givesVectorBytes(Vector vector) {
        assertThat(codec(vector).encode(vector.value()))
                .as("bytes of %s", vector)
                .isEqualTo(vector.bytes());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decode_knownAnswer_givesParsedValue(Vector vector) {
        Object decoded = codec(vector).decode(vector.bytes().clone());

        if (vector.value() instanceof byte[] expected) {
            assertThat(decoded).isInstanceOf(byte[].class);
            assertThat((byte[]) decoded).isEqualTo(expected);
        } else {
            // equals(): a BigDecimal must come back with its scale, an OffsetDateTime with its offset.
            assertThat(decoded).isInstanceOf(javaType(vector.type())).isEqualTo(vector.value());
        }
    }

    /** A type cannot be supported (or added) without vectors that pin its encoding. */
    @Test
    void vectors_everySupportedType_hasVectors() {
        Set<String> vectorTypes = vectors().map(Vector::type).collect(Collectors.toSet());

        assertThat(vectorTypes).containsExactlyInAnyOrderElementsOf(SUPPORTED);

        // The codecs that exist: one per non-enum type, plus one for any enum.
        Set<String> codecTypes = Stream.concat(
                        ValueCodec.Codecs.BY_TYPE.keySet().stream().map(Class::getSimpleName), Stream.of("Enum"))
                .collect(Collectors.toSet());
        assertThat(codecTypes).containsExactlyInAnyOrderElementsOf(SUPPORTED);

        // The types the error messages promise: "String, byte[], ..., OffsetDateTime and enums".
        Set<String> advertised = Arrays.stream(ValueCodec.supportedTypes().split(",| and "))
                .map(String::strip)
                .map(name -> name.equals("enums") ? "Enum" : name)
                .collect(Collectors.toSet());
        assertThat(advertised).containsExactlyInAnyOrderElementsOf(SUPPORTED);
    }
}
