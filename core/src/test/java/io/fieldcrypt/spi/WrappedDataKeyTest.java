package io.fieldcrypt.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WrappedDataKeyTest {

    @Test
    void toString_showsMasterKeyAndLengthOnly() {
        WrappedDataKey key = new WrappedDataKey("arn:aws:kms:us-east-1:1:key/abc", new byte[] {1, 2, 3});

        assertThat(key.toString()).isEqualTo("WrappedDataKey[masterKeyId=arn:aws:kms:us-east-1:1:key/abc, 3 bytes]");
    }

    @Test
    void encryptedKey_defensivelyCopied() {
        byte[] blob = {1, 2, 3};
        WrappedDataKey key = new WrappedDataKey("k", blob);
        blob[0] = 9;
        key.encryptedKey()[1] = 9;

        assertThat(key.encryptedKey()).containsExactly(1, 2, 3);
        assertThat(key).isEqualTo(new WrappedDataKey("k", new byte[] {1, 2, 3}));
    }

    @Test
    void nullArgument_nullPointerNamingIt() {
        assertThatThrownBy(() -> new WrappedDataKey(null, new byte[] {1}))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("masterKeyId");
        assertThatThrownBy(() -> new WrappedDataKey("k", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("encryptedKey");
    }

    @Test
    void empty_refused() {
        assertThatThrownBy(() -> new WrappedDataKey("k", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("encryptedKey is empty");
    }
}
