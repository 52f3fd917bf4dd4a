package io.fieldcrypt.hibernate.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Turns attribute values into the plaintext bytes that are encrypted, and back. The encodings are part of the
 * stored format (README, "Supported types") and never change:
 *
 * <ul>
 *   <li>{@code String}: UTF-8. {@code byte[]}: as is.</li>
 *   <li>{@code Short}, {@code Integer}, {@code Long}: two's complement, big-endian, 2, 4 or 8 bytes.
 *       {@code Boolean}: one byte, 0 or 1.</li>
 *   <li>{@code BigInteger}: its two's complement bytes ({@link BigInteger#toByteArray()}). {@code BigDecimal}: the
 *       scale as a 4-byte big-endian int, then the unscaled value as for {@code BigInteger}.</li>
 *   <li>{@code UUID}: 16 bytes, most significant first.</li>
 *   <li>{@code LocalDate}, {@code LocalDateTime}, {@code LocalTime}, {@code Instant}, {@code OffsetDateTime}: their
 *       ISO-8601 {@code toString()} in UTF-8.</li>
 *   <li>enums: the constant's {@code name()} in UTF-8 (renaming a constant makes its old values unreadable).</li>
 * </ul>
 */
interface ValueCodec {

    byte[] encode(Object value);

    Object decode(byte[] bytes);

    /**
     * @param type an attribute's Java type
     * @return its codec, or {@code null} if the type is not supported
     */
    static ValueCodec forType(Class<?> type) {
        if (type.isEnum()) {
            return enumCodec(type.asSubclass(Enum.class));
        }
        return Codecs.BY_TYPE.get(Codecs.PRIMITIVES.getOrDefault(type, type));
    }

    /** Lists the supported types, for error messages. */
    static String supportedTypes() {
        return "String, byte[], Integer, Long, Short, Boolean, BigDecimal, BigInteger, UUID, LocalDate,"
                + " LocalDateTime, LocalTime, Instant, OffsetDateTime and enums";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ValueCodec enumCodec(Class<? extends Enum> type) {
        return text(value -> ((Enum<?>) value).name(), name -> Enum.valueOf((Class) type, name));
    }

    private static ValueCodec text(Function<Object, String> format, Function<String, Object> parse) {
        return new ValueCodec() {
            @Override
            public byte[] encode(Object value) {
                return format.apply(value).getBytes(UTF_8);
            }

            @Override
            public Object decode(byte[] bytes) {
                return parse.apply(new String(bytes, UTF_8));
            }
        };
    }

    private static ValueCodec fixed(
            int size, java.util.function.BiConsumer<ByteBuffer, Object> write, Function<ByteBuffer, Object> read) {
        return new ValueCodec() {
            @Override
            public byte[] encode(Object value) {
                ByteBuffer buffer = ByteBuffer.allocate(size);
                write.accept(buffer, value);
                return buffer.array();
            }

            @Override
            public Object decode(byte[] bytes) {
                if (bytes.length != size) {
                    throw new IllegalArgumentException("expected " + size + " bytes, got " + bytes.length);
                }
                return read.apply(ByteBuffer.wrap(bytes));
            }
        };
    }

    /** The codecs of the non-enum types. */
    final class Codecs {
        static final Map<Class<?>, ValueCodec> BY_TYPE = Map.ofEntries(
                Map.entry(String.class, text(value -> (String) value, string -> string)),
                Map.entry(byte[].class, new ValueCodec() {
                    @Override
                    public byte[] encode(Object value) {
                        return (byte[]) value;
                    }

                    @Override
                    public Object decode(byte[] bytes) {
                        return bytes;
                    }
                }),
                Map.entry(Short.class, fixed(2, (b, v) -> b.putShort((Short) v), ByteBuffer::getShort)),
                Map.entry(Integer.class, fixed(4, (b, v) -> b.putInt((Integer) v), ByteBuffer::getInt)),
                Map.entry(Long.class, fixed(8, (b, v) -> b.putLong((Long) v), ByteBuffer::getLong)),
                Map.entry(Boolean.class, fixed(1, (b, v) -> b.put((byte) ((Boolean) v ? 1 : 0)), Codecs::bool)),
                Map.entry(
                        UUID.class,
                        fixed(
                                16,
                                (b, v) -> b.putLong(((UUID) v).getMostSignificantBits())
                                        .putLong(((UUID) v).getLeastSignificantBits()),
                                b -> new UUID(b.getLong(), b.getLong()))),
                Map.entry(BigInteger.class, new ValueCodec() {
                    @Override
                    public byte[] encode(Object value) {
                        return ((BigInteger) value).toByteArray();
                    }

                    @Override
                    public Object decode(byte[] bytes) {
                        return new BigInteger(bytes);
                    }
                }),
                Map.entry(BigDecimal.class, new ValueCodec() {
                    @Override
                    public byte[] encode(Object value) {
                        BigDecimal decimal = (BigDecimal) value;
                        byte[] unscaled = decimal.unscaledValue().toByteArray();
                        return ByteBuffer.allocate(4 + unscaled.length)
                                .putInt(decimal.scale())
                                .put(unscaled)
                                .array();
                    }

                    @Override
                    public Object decode(byte[] bytes) {
                        int scale = ByteBuffer.wrap(bytes).getInt();
                        if (bytes.length == Integer.BYTES) {
                            // What new BigInteger(new byte[0]) throws; the ranged constructor would index out of
                            // bounds.
                            throw new NumberFormatException("Zero length BigInteger");
                        }
                        return new BigDecimal(new BigInteger(bytes, 4, bytes.length - 4), scale);
                    }
                }),
                Map.entry(LocalDate.class, text(Object::toString, Codecs::localDate)),
                Map.entry(LocalDateTime.class, text(Object::toString, LocalDateTime::parse)),
                Map.entry(LocalTime.class, text(Object::toString, LocalTime::parse)),
                Map.entry(Instant.class, text(Object::toString, Instant::parse)),
                Map.entry(OffsetDateTime.class, text(Object::toString, OffsetDateTime::parse)));

        static final Map<Class<?>, Class<?>> PRIMITIVES = Map.of(
                short.class,
                Short.class,
                int.class,
                Integer.class,
                long.class,
                Long.class,
                boolean.class,
                Boolean.class);

        private Codecs() {}

        /**
         * {@link LocalDate#parse}, without its general-purpose parser for the form {@code yyyy-mm-dd} that
         * {@link LocalDate#toString()} gives every year from 0 to 9999: the same value, or the same kind of exception
         * (a {@link java.time.DateTimeException}) for a day that does not exist. Any other text goes to
         * {@link LocalDate#parse}.
         */
        static Object localDate(String text) {
            if (text.length() == 10 && text.charAt(4) == '-' && text.charAt(7) == '-') {
                int year = digits(text, 0, 4);
                int month = digits(text, 5, 7);
                int day = digits(text, 8, 10);
                if (year >= 0 && month >= 0 && day >= 0) {
                    return LocalDate.of(year, month, day);
                }
            }
            return LocalDate.parse(text);
        }

        /** @return the decimal number of the ASCII digits of {@code text} from {@code from} to {@code to}, or -1 */
        private static int digits(String text, int from, int to) {
            int value = 0;
            for (int i = from; i < to; i++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                value = value * 10 + (c - '0');
            }
            return value;
        }

        private static Object bool(ByteBuffer buffer) {
            byte value = buffer.get();
            if (value != 0 && value != 1) {
                throw new IllegalArgumentException("a boolean is 0 or 1, got " + value);
            }
            return value == 1;
        }
    }
}
