package io.fieldcrypt.benchmarks;

import io.fieldcrypt.Envelope;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The physical limit of {@link BenchRecord}: its three secret columns as plain {@code bytea} holding random bytes of
 * exactly the lengths of fieldcrypt's envelopes of the same values, with no cryptography and no row key in the read.
 * What moving the ciphertext costs; everything fieldcrypt takes beyond it is its own overhead.
 */
@Entity
public class BytesRecord extends RecordBase {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "bytes_seq")
    @SequenceGenerator(name = "bytes_seq", allocationSize = 500)
    public Long id;

    public byte[] secretName;
    public byte[] secretDate;
    public byte[] secretAmount;

    @Override
    void secrets(String name, LocalDate date, BigDecimal amount) {
        secretName = envelopeSized(name.getBytes(StandardCharsets.UTF_8).length);
        secretDate = envelopeSized(date.toString().length());
        // fieldcrypt encodes a BigDecimal as its 4-byte scale and its unscaled value's two's complement bytes.
        secretAmount = envelopeSized(Integer.BYTES + amount.unscaledValue().toByteArray().length);
    }

    @Override
    String secretName() {
        return secretName == null ? null : "";
    }

    @Override
    void secretName(String name) {
        secretName = envelopeSized(name.getBytes(StandardCharsets.UTF_8).length);
    }

    /** @return random bytes as long as the envelope of a plaintext of {@code plaintextBytes} bytes */
    private static byte[] envelopeSized(int plaintextBytes) {
        byte[] bytes = new byte[Envelope.OVERHEAD_BYTES + plaintextBytes];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
