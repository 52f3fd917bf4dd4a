package io.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.ConfigurationException;
import io.fieldcrypt.hibernate.model.Patient;
import io.fieldcrypt.hibernate.testing.Factories;
import io.fieldcrypt.testing.LocalMasterKeys;
import io.fieldcrypt.testing.TestDatabase;
import io.fieldcrypt.testing.TestPostgres;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every bad setting fails the factory's build with a message naming the setting and the expected form. */
@ExtendWith(TestPostgres.class)
class SettingsTest {

    private final TestDatabase db;

    SettingsTest(TestDatabase db) {
        this.db = db;
    }

    private static Map<String, Object> valid() {
        return Factories.local(LocalMasterKeys.spec("k1", "k2"), "k1");
    }

    private static Map<String, Object> with(String setting, Object value) {
        Map<String, Object> settings = new HashMap<>(valid());
        if (value == null) {
            settings.remove(setting);
        } else {
            settings.put(setting, value);
        }
        return settings;
    }

    private String failure(Map<String, Object> settings) {
        try {
            Factories.build(db, settings, Patient.class).close();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigurationException) {
                    return t.getMessage();
                }
            }
            throw new AssertionError("no ConfigurationException in the cause chain", e);
        }
        throw new AssertionError("the factory booted");
    }

    @Test
    void missingKeyId() {
        assertThat(failure(with(FieldCryptSettings.KMS_KEY_ID, null)))
                .isEqualTo("fieldcrypt.kms.key-id is required:"
                        + " the master key new data keys are made under (for aws a key id, key ARN or alias/name; for local"
                        + " the id of one of fieldcrypt.local.master-keys)");
    }

    @Test
    void unknownProvider() {
        assertThat(failure(with(FieldCryptSettings.KMS_PROVIDER, "vault")))
                .isEqualTo("fieldcrypt.kms.provider must be aws or local, got 'vault'");
    }

    @Test
    void localKeysMissing() {
        assertThat(failure(with(FieldCryptSettings.LOCAL_MASTER_KEYS, null)))
                .isEqualTo("fieldcrypt.local.master-keys"
                        + " is required for the local provider: id:base64[,id:base64...] with 32-byte keys (for example:"
                        + " openssl rand -base64 32), or env:NAME or file:PATH naming where that text is");
    }

    @Test
    void localKeyMalformed() {
        assertThat(failure(with(FieldCryptSettings.LOCAL_MASTER_KEYS, "k1=abc")))
                .isEqualTo("fieldcrypt.local.master-keys: local master keys must be written id:base64[,id:base64...];"
                        + " entry 1 has no id before ':'");
    }

    @Test
    void localKeyWrongLength_keyNotEchoed() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);

        assertThat(failure(with(FieldCryptSettings.LOCAL_MASTER_KEYS, "k1:" + shortKey)))
                .isEqualTo("fieldcrypt.local.master-keys: entry 1 of the local master keys is 16 bytes; AES-256 needs"
                        + " exactly 32 (for example: openssl rand -base64 32)")
                .doesNotContain(shortKey);
    }

    @Test
    void localKeysFromMissingFileOrVariable_namesIt() {
        assertThat(failure(with(FieldCryptSettings.LOCAL_MASTER_KEYS, "file:/nonexistent/keys")))
                .isEqualTo("fieldcrypt.local.master-keys names file /nonexistent/keys, which cannot be read"
                        + " (NoSuchFileException)");
        assertThat(failure(with(FieldCryptSettings.LOCAL_MASTER_KEYS, "env:FIELDCRYPT_TEST_NO_SUCH_VARIABLE")))
                .isEqualTo("fieldcrypt.local.master-keys names environment variable"
                        + " FIELDCRYPT_TEST_NO_SUCH_VARIABLE, which is not set");
    }

    @Test
    void keyIdNotAmongLocalKeys() {
        assertThat(failure(with(FieldCryptSettings.KMS_KEY_ID, "k9")))
                .isEqualTo("fieldcrypt.kms.key-id 'k9' is not"
                        + " one of the keys in fieldcrypt.local.master-keys (LocalKeyProvider[masterKeys=[k1, k2]])");
    }

    @Test
    void badDuration() {
        assertThat(failure(with(FieldCryptSettings.DATA_KEY_MAX_AGE, "5 minutes")))
                .isEqualTo("fieldcrypt.data-key"
                        + ".max-age must be a positive ISO-8601 duration such as PT5M or PT1H, got '5 minutes'");
        assertThat(failure(with(FieldCryptSettings.DATA_KEY_MAX_AGE, "PT0S")))
                .isEqualTo("fieldcrypt.data-key"
                        + ".max-age must be a positive ISO-8601 duration such as PT5M or PT1H, got 'PT0S'");
    }

    @Test
    void maxUsesOutOfRange() {
        assertThat(failure(with(FieldCryptSettings.DATA_KEY_MAX_USES, "0")))
                .isEqualTo("fieldcrypt.data-key.max-uses" + " must be a whole number from 1 to 2147483648, got '0'");
        assertThat(failure(with(FieldCryptSettings.DATA_KEY_MAX_USES, "lots")))
                .isEqualTo("fieldcrypt.data-key" + ".max-uses must be a whole number from 1 to 2147483648, got 'lots'");
    }

    @Test
    void unknownSchemaMode() {
        assertThat(failure(with(FieldCryptSettings.SCHEMA, "drop")))
                .isEqualTo("fieldcrypt.schema must be create, validate or none, got 'drop'");
    }

    @Test
    void validateWithoutTable_namesTable() {
        Map<String, Object> settings = with(FieldCryptSettings.SCHEMA, "validate");
        settings.put(FieldCryptSettings.DATA_KEY_TABLE, "missing_keys");

        assertThat(failure(settings))
                .isEqualTo("fieldcrypt.schema=validate, fieldcrypt.data-key.table=missing_keys:"
                        + " data key table missing_keys does not exist: create it with the DDL in docs/SCHEMA.md, or let"
                        + " fieldcrypt create it (schema mode CREATE)");
    }

    @Test
    void tableNameNotIdentifier() {
        assertThat(failure(with(FieldCryptSettings.DATA_KEY_TABLE, "keys;drop")))
                .isEqualTo("fieldcrypt.schema=create,"
                        + " fieldcrypt.data-key.table=keys;drop: data key table name 'keys;drop' is not a plain identifier:"
                        + " use letters, digits and '_', optionally schema-qualified (schema.table)");
    }

    @Test
    void badEndpoint() {
        Map<String, Object> settings = with(FieldCryptSettings.KMS_PROVIDER, "aws");
        settings.put(FieldCryptSettings.KMS_REGION, "eu-west-1");
        settings.put(FieldCryptSettings.KMS_ENDPOINT, "not a url");

        assertThat(failure(settings))
                .isEqualTo("fieldcrypt.kms.endpoint must be a URL such as"
                        + " https://kms.eu-west-1.amazonaws.com, got 'not a url'");
    }

    @Test
    void readyObjectsOfWrongType() {
        assertThat(failure(with(FieldCryptSettings.KEY_PROVIDER, "a string")))
                .isEqualTo("fieldcrypt.key-provider must be an io.fieldcrypt.spi.KeyProvider object, got a"
                        + " java.lang.String");
        Map<String, Object> settings = with(FieldCryptSettings.KMS_PROVIDER, "aws");
        settings.put(FieldCryptSettings.KMS_CLIENT, 42);
        assertThat(failure(settings))
                .isEqualTo("fieldcrypt.kms.client must be a"
                        + " software.amazon.awssdk.services.kms.KmsClient object, got a java.lang.Integer");
    }

    @Test
    void enabledNotBoolean() {
        assertThat(failure(with(FieldCryptSettings.ENABLED, "yes")))
                .isEqualTo("fieldcrypt.enabled must be true or false, got 'yes'");
    }
}
