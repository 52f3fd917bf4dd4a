package io.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.testing.TestKeys;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyProvidersTest {

    @Test
    void local_fromSpec_acceptsSeveralKeysWithSpaces() {
        var provider = KeyProviders.local(" old:" + b64(32) + " , new:" + b64(32));

        assertThat(provider.toString()).isEqualTo("LocalKeyProvider[masterKeys=[new, old]]");
        assertThat(provider.canonicalMasterKeyId("old")).isEqualTo("old");
    }

    @Test
    void local_wrongKeyLength_namesIdAndExpectedLength() {
        String key = b64(16);

        assertThatThrownBy(() -> KeyProviders.local("dev:" + key))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("local master key 'dev' is 16 bytes; AES-256 needs exactly 32"
                        + " (for example: openssl rand -base64 32)")
                .hasMessageNotContaining(key);
    }

    @Test
    void local_notBase64_refusedWithoutEchoingIt() {
        assertThatThrownBy(() -> KeyProviders.local("dev:not*base64"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("local master key 'dev' is not valid base64");
    }

    @Test
    void local_entryWithoutId_refused() {
        String key = b64(32);

        assertThatThrownBy(() -> KeyProviders.local(key))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("local master keys must be written id:base64[,id:base64...]; entry 1 has no id before ':'")
                .hasMessageNotContaining(key);
    }

    @Test
    void local_duplicateId_refused() {
        assertThatThrownBy(() -> KeyProviders.local("a:" + b64(32) + ",a:" + b64(32)))
                .isInstanceOf(ConfigurationException.class).hasMessage("local master key id 'a' is given twice");
    }

    @Test
    void local_malformedId_refusedByPosition() {
        assertThatThrownBy(() -> KeyProviders.local(Map.of("bad id", TestKeys.randomKey())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entry 1 of the local master keys has a malformed id: use 1 to 128 letters, digits, '.',"
                        + " '_', '/' or '-'")
                .hasMessageNotContaining("bad id");
    }

    @Test
    void local_keyGivenAsId_refusedWithoutEchoingKey() {
        String key = b64(32);

        assertThatThrownBy(() -> KeyProviders.local(Map.of(key, TestKeys.randomKey())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entry 1 of the local master keys has a malformed id: use 1 to 128 letters, digits, '.',"
                        + " '_', '/' or '-'")
                .hasMessageNotContaining(key);
    }

    @Test
    void local_fromSpec_keyAndIdSwapped_refusedWithoutEchoingKey() {
        String key = b64(32);

        assertThatThrownBy(() -> KeyProviders.local(key + ":dev"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entry 1 of the local master keys has a malformed id: use 1 to 128 letters, digits, '.',"
                        + " '_', '/' or '-' before the ':' and the base64 key after it")
                .hasMessageNotContaining(key);
    }

    @Test
    void local_fromSpec_idPartContainsKey_refusedByPositionWithoutEchoingKey() {
        String key = b64(32);

        assertThatThrownBy(() -> KeyProviders.local("old:" + b64(32) + ", dev" + key + ":" + b64(32)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entry 2 of the local master keys has a malformed id: use 1 to 128 letters, digits, '.',"
                        + " '_', '/' or '-' before the ':' and the base64 key after it")
                .hasMessageNotContaining(key);
    }

    @Test
    void local_noKeys_refused() {
        assertThatThrownBy(() -> KeyProviders.local(Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("the local key provider needs at least one master key");
    }

    @Test
    void awsKmsOptions_badBounds_refused() {
        assertThatThrownBy(() -> AwsKmsOptions.defaults().withMaxAttempts(0))
                .isInstanceOf(ConfigurationException.class).hasMessage("KMS maxAttempts must be at least 1, got 0");
        assertThatThrownBy(() -> AwsKmsOptions.defaults().withTimeouts(java.time.Duration.ZERO,
                java.time.Duration.ofSeconds(1)))
                .isInstanceOf(ConfigurationException.class).hasMessage("KMS timeouts must be positive");
    }

    private static String b64(int bytes) {
        byte[] key = new byte[bytes];
        new java.security.SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
