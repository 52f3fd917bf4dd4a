package io.fieldcrypt.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.testing.TestKeys;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DataKeyMaterialTest {

    private final byte[] raw = TestKeys.randomKey();

    @Test
    void toString_showsNoKeyBytesInAnyEncoding() {
        String text = DataKeyMaterial.copyOf(raw).toString();

        assertThat(text).isEqualTo("DataKeyMaterial[32 bytes, redacted]")
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
        assertThatThrownBy(key::copy).isInstanceOf(IllegalStateException.class)
                .hasMessage("data key material was destroyed");
    }

    @Test
    void equals_comparesBytes() {
        DataKeyMaterial key = DataKeyMaterial.copyOf(raw);

        assertThat(key).isEqualTo(DataKeyMaterial.copyOf(raw)).isEqualTo(key.copy())
                .isNotEqualTo(DataKeyMaterial.copyOf(TestKeys.randomKey()));
        assertThat(key.hashCode()).isEqualTo(32);
    }

    @Test
    void copyOf_wrongLength_refused() {
        assertThatThrownBy(() -> DataKeyMaterial.copyOf(new byte[8]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a data key must be 16 to 64 bytes long, got 8");
    }
}
