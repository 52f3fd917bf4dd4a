package io.fieldcrypt.hibernate.internal;

import com.ibm.icu.text.Normalizer2;
import io.fieldcrypt.hibernate.BlindIndex;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * The input bytes of a blind index: the plaintext transformed as the index says, then encoded. {@code NONE} hashes the
 * value's canonical bytes (its {@link ValueCodec} encoding, the bytes that are also encrypted); the text transforms
 * hash UTF-8.
 */
final class IndexTransform {

    private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();

    private IndexTransform() {}

    /**
     * @param transform the index's transform
     * @param codec the source attribute's encoding
     * @param plaintext a value of the source's type, not null
     * @return the bytes to hash, or {@code null} if the transformed value is empty (such a value is not indexed)
     */
    static byte[] input(BlindIndex.Transform transform, ValueCodec codec, Object plaintext) {
        return switch (transform) {
            case NONE -> codec.encode(plaintext);
            case CASEFOLD -> utf8(NFKC_CASEFOLD.normalize((String) plaintext));
            // NFKC first: it turns a no-break space into a space, which strip() then removes.
            case TRIM_CASEFOLD ->
                utf8(NFKC_CASEFOLD.normalize(Normalizer.normalize((String) plaintext, Normalizer.Form.NFKC)
                        .strip()));
            case DIGITS -> utf8(digits((String) plaintext));
        };
    }

    /** The decimal digits of {@code text}, of any script (Unicode category Nd), as ASCII 0-9. */
    private static String digits(String text) {
        StringBuilder digits = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER) {
                digits.append((char) ('0' + Character.digit(c, 10)));
            }
        });
        return digits.toString();
    }

    private static byte[] utf8(String text) {
        return text.isEmpty() ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
