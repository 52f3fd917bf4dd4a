package io.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

    private static final HexFormat HEX = HexFormat.of();
    /** The "ascii ssn" vector of envelope-v1.json. */
    private static final byte[] VALID = HEX.parseHex(
            "fc0101000000000000002a000102030405060708090a0b7630e536f1d0ef2dba79aec07192726c7639bdc847dd1ba3456169");

    @Test
    void parse_validEnvelope_exposesHeaderFields() {
        Envelope envelope = Envelope.parse(VALID);

        assertThat(envelope.version()).isEqualTo(Envelope.Version.V1);
        assertThat(envelope.algorithm()).isEqualTo(Envelope.Algorithm.AES_256_GCM);
        assertThat(envelope.dataKeyId()).isEqualTo(42);
        assertThat(envelope.plaintextLength()).isEqualTo(11);
        assertThat(envelope.toBytes()).isEqualTo(VALID);
    }

    @Test
    void parse_copiesInput_laterChangesDoNotLeakIn() {
        byte[] input = VALID.clone();
        Envelope envelope = Envelope.parse(input);
        input[5] = 0x7F;

        assertThat(envelope.toBytes()).isEqualTo(VALID);
    }

    @Test
    void text_roundTrip_givesSameBytes() {
        String text = Envelope.parse(VALID).toText();

        assertThat(text).startsWith("fc1:").doesNotContain("=", "+", "/");
        assertThat(Envelope.parseText(text).toBytes()).isEqualTo(VALID);
        assertThat(Envelope.isWellFormedText(text)).isTrue();
    }

    @Test
    void parse_tooShort_refused() {
        assertThatThrownBy(() -> Envelope.parse(Arrays.copyOf(VALID, Envelope.OVERHEAD_BYTES - 1)))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: too short (38 bytes, at least 39 needed)");
    }

    @Test
    void parse_wrongMagic_refused() {
        byte[] bytes = VALID.clone();
        bytes[0] = 0x00;

        assertThatThrownBy(() -> Envelope.parse(bytes))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: wrong magic byte");
    }

    @Test
    void parse_unknownVersion_refused() {
        byte[] bytes = VALID.clone();
        bytes[1] = 0x03;

        assertThatThrownBy(() -> Envelope.parse(bytes))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: unknown format version 3");
    }

    @Test
    void parse_unknownAlgorithm_refused() {
        byte[] bytes = VALID.clone();
        bytes[2] = (byte) 0x9A;

        assertThatThrownBy(() -> Envelope.parse(bytes))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: unknown algorithm 154");
    }

    @Test
    void parse_nonPositiveDataKeyId_refused() {
        byte[] bytes = VALID.clone();
        Arrays.fill(bytes, 3, 11, (byte) 0);

        assertThatThrownBy(() -> Envelope.parse(bytes))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: data key id is not positive");
    }

    @Test
    void parse_null_refused() {
        assertThatThrownBy(() -> Envelope.parse(null))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: null");
    }

    @Test
    void parseText_withoutPrefix_refused() {
        assertThatThrownBy(() -> Envelope.parseText("123-45-6789"))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: text form must start with fc1:");
        assertThat(Envelope.isWellFormedText("123-45-6789")).isFalse();
    }

    @Test
    void parseText_notBase64_refused() {
        assertThatThrownBy(() -> Envelope.parseText("fc1:***"))
                .isInstanceOf(EnvelopeFormatException.class)
                .hasMessage("not an envelope: text form is not base64url");
    }

    @Test
    void toString_showsStructureOnly() {
        assertThat(Envelope.parse(VALID).toString())
                .isEqualTo("Envelope[V1, AES_256_GCM, dataKeyId=42, 11 plaintext bytes]");
    }

    @Test
    void wireValues_areStable() {
        assertThat(Envelope.Version.V1.wireValue()).isEqualTo((byte) 1);
        assertThat(Envelope.Algorithm.AES_256_GCM.wireValue()).isEqualTo((byte) 1);
    }

    @Property
    void parse_arbitraryBytes_onlyFormatExceptionOrSuccess(@ForAll @Size(max = 200) byte[] bytes) {
        try {
            Envelope envelope = Envelope.parse(bytes);
            assertThat(Envelope.isWellFormed(bytes)).isTrue();
            assertThat(envelope.plaintextLength()).isEqualTo(bytes.length - Envelope.OVERHEAD_BYTES);
        } catch (EnvelopeFormatException e) {
            assertThat(Envelope.isWellFormed(bytes)).isFalse();
        }
    }

    @Property
    void parseText_arbitraryText_onlyFormatExceptionOrSuccess(@ForAll @Size(max = 120) String text) {
        try {
            Envelope.parseText("fc1:" + text);
        } catch (EnvelopeFormatException e) {
            assertThat(e).hasMessageStartingWith("not an envelope: ");
        }
    }
}
