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
    void local_wrongKeyLength_namesEntryByPositionAndExpectedLength() {
        String key = b64(16);

        assertThatThrownBy(() -> KeyProviders.local("old:" + b64(32) + ",dev:" + key))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entry 2 of the local master keys is 16 bytes; AES-256 needs exactly 32"
                        + " (for example: openssl rand -base64 32)")
                .hasMessageNotContaining(key);
    }

    @Test
    void local_notBase64_refusedByPositionWithoutEchoingIt() {
        assertThatThrownBy(() -> KeyProviders.local("old:" + b64(32) + ", dev:not*base64"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entry 2 of the local master keys is not valid base64");
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
    void local_duplicateId_refusedNamingBothPositions() {
        assertThatThrownBy(() -> KeyProviders.local("a:" + b64(32) + ",b:" + b64(32) + ", a:" + b64(32)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entries 1 and 3 of the local master keys have the same id");
    }

    @Test
    void local_fromSpec_unpaddedKeyAndIdSwapped_refusedWithoutEchoingKey() {
        // A 43-character unpadded base64 key without '+' is a well-formed id; 'dev' then decodes as 2 bytes.
        String key = unpaddedKeyThatIsAWellFormedId();

        assertThatThrownBy(() -> KeyProviders.local(key + ":dev"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entry 1 of the local master keys is 2 bytes; AES-256 needs exactly 32"
                        + " (for example: openssl rand -base64 32)")
                .hasMessageNotContaining(key);
    }

    @Test
    void local_fromSpec_unpaddedKeyAndIdSwappedTwice_duplicateRefusedWithoutEchoingKey() {
        String key = unpaddedKeyThatIsAWellFormedId();

        assertThatThrownBy(() -> KeyProviders.local(key + ":dev, " + key + ":test"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entries 1 and 2 of the local master keys have the same id")
                .hasMessageNotContaining(key);
    }

    @Test
    void local_fromSpec_unpaddedKeyAndIdSwapped_notBase64RefusedWithoutEchoingKey() {
        String key = unpaddedKeyThatIsAWellFormedId();

        assertThatThrownBy(() -> KeyProviders.local(key + ":dev-key"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entry 1 of the local master keys is not valid base64")
                .hasMessageNotContaining(key);
    }

    @Test
    void local_mapWithKeyAsWellFormedId_wrongLength_refusedWithoutEchoingKey() {
        String key = unpaddedKeyThatIsAWellFormedId();

        assertThatThrownBy(() -> KeyProviders.local(Map.of(key, new byte[2])))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("entry 1 of the local master keys is 2 bytes; AES-256 needs exactly 32"
                        + " (for example: openssl rand -base64 32)")
                .hasMessageNotContaining(key);
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
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("KMS maxAttempts must be at least 1, got 0");
        assertThatThrownBy(() ->
                        AwsKmsOptions.defaults().withTimeouts(java.time.Duration.ZERO, java.time.Duration.ofSeconds(1)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("KMS timeouts must be positive");
    }

    /** 32 random bytes as unpadded base64 with every '+' replaced, so that it matches the local id pattern. */
    private static String unpaddedKeyThatIsAWellFormedId() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String text = Base64.getEncoder().withoutPadding().encodeToString(key).replace('+', 'x');
        assertThat(text).hasSize(43).matches("[A-Za-z0-9/]+");
        return text;
    }

    private static String b64(int bytes) {
        byte[] key = new byte[bytes];
        new java.security.SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
