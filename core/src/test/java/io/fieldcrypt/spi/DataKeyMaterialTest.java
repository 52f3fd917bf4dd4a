package io.fieldcrypt.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.testing.TestKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataKeyMaterialTest {

    private final byte[] raw = TestKeys.randomKey();

    @Test
    void toString_showsNoKeyBytesInAnyEncoding() {
        String text = DataKeyMaterial.copyOf(raw).toString();

        assertThat(text)
                .isEqualTo("DataKeyMaterial[32 bytes, redacted]")
                .doesNotContain(HexFormat.of().formatHex(raw))
                .doesNotContain(Base64.getEncoder().encodeToString(raw));
    }

    @Test
    void copyOf_laterChangesToSource_doNotAffectKey() {
        DataKeyMaterial key = DataKeyMaterial.copyOf(raw);
        byte[] original = raw.clone();
        raw[0] ^= 0x55;

        assertThat(key.getEncoded()).isEqualTo(original);
    }

    @Test
    void getEncoded_returnsFreshCopies() {
        DataKeyMaterial key = DataKeyMaterial.copyOf(raw);
        byte[] first = key.getEncoded();
        first[0] ^= 0x55;

        assertThat(key.getEncoded()).isEqualTo(raw);
    }

    @Test
    void destroy_wipesAndRefusesEncoding() {
        DataKeyMaterial key = DataKeyMaterial.copyOf(raw);

        key.destroy();

        assertThat(key.isDestroyed()).isTrue();
        assertThat(key.getEncoded()).isNull();
        assertThat(key.toString()).isEqualTo("DataKeyMaterial[32 bytes, redacted, destroyed]");
        assertThatThrownBy(key::copy)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("data key material was destroyed");
    }

    @Test
    void equals_comparesBytes() {
        DataKeyMaterial key = DataKeyMaterial.copyOf(raw);

        assertThat(key)
                .isEqualTo(DataKeyMaterial.copyOf(raw))
                .isEqualTo(key.copy())
                .isNotEqualTo(DataKeyMaterial.copyOf(TestKeys.randomKey()));
        assertThat(key.hashCode()).isEqualTo(32);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 8, 16, 31, 33, 64})
    void copyOf_notAes256Length_refused(int length) {
        assertThatThrownBy(() -> DataKeyMaterial.copyOf(new byte[length]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a data key must be 32 bytes (AES-256), got " + length);
    }

    @Test
    void writeObject_refusedWithNotSerializable() throws IOException {
        DataKeyMaterial key = DataKeyMaterial.copyOf(raw);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            assertThatThrownBy(() -> out.writeObject(key))
                    .isInstanceOf(NotSerializableException.class)
                    .hasMessage("data key material is never serialized");
        }
        assertThat(containsKey(bytes.toByteArray())).isFalse();
    }

    @Test
    void readObject_forgedStream_refusedWithNotSerializable() throws IOException {
        byte[] stream = forgedStream();

        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream))) {
            assertThatThrownBy(in::readObject)
                    .isInstanceOf(NotSerializableException.class)
                    .hasMessage("data key material is never serialized");
        }
    }

    private boolean containsKey(byte[] haystack) {
        for (int i = 0; i + raw.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + raw.length, raw, 0, raw.length)) {
                return true;
            }
        }
        return false;
    }

    /** A stream that claims to hold a DataKeyMaterial: a look-alike's stream with the class name replaced. */
    private static byte[] forgedStream() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new LookAlike());
        }
        return replaceUtf(bytes.toByteArray(), LookAlike.class.getName(), DataKeyMaterial.class.getName());
    }

    private static byte[] replaceUtf(byte[] stream, String from, String to) throws IOException {
        byte[] old = utf(from);
        for (int i = 0; i + old.length <= stream.length; i++) {
            if (Arrays.equals(stream, i, i + old.length, old, 0, old.length)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(stream, 0, i);
                out.write(utf(to));
                out.write(stream, i + old.length, stream.length - i - old.length);
                return out.toByteArray();
            }
        }
        throw new AssertionError("class name not found in the stream");
    }

    /** The modified-UTF-8 form ObjectOutputStream writes a class name in: a 2-byte length, then the bytes. */
    private static byte[] utf(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[body.length + 2];
        framed[0] = (byte) (body.length >>> 8);
        framed[1] = (byte) body.length;
        System.arraycopy(body, 0, framed, 2, body.length);
        return framed;
    }

    /** Has the serialized fields of a DataKeyMaterial. */
    private static final class LookAlike implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final byte[] bytes = new byte[32];
        private final boolean destroyed = false;
    }
}
