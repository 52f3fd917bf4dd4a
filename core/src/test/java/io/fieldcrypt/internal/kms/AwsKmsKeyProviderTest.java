package io.fieldcrypt.internal.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fieldcrypt.AwsKmsOptions;
import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.KeyProviderException.Reason;
import io.fieldcrypt.KeyProviders;
import io.fieldcrypt.spi.KeyProvider;
import io.fieldcrypt.spi.WrappedDataKey;
import io.fieldcrypt.testing.KmsWireServer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DescribeKeyRequest;
import software.amazon.awssdk.services.kms.model.DescribeKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * The AWS KMS provider through the real {@link KmsClient}, against the KMS wire server: the shared contract, plus
 * the faults only a controllable server can produce, and key states the server does not emulate through a client that
 * only answers DescribeKey.
 */
class AwsKmsKeyProviderTest extends AwsKmsKeyProviderContract {

    private static KmsWireServer kms;
    private static KmsClient client;

    @BeforeAll
    static void start() {
        kms = KmsWireServer.start();
        client = kms.newClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        kms.close();
    }

    @AfterEach
    void resetFaults() {
        kms.answerWithKeyArn(null);
        kms.delayEachRequest(Duration.ZERO);
        kms.throttleNext(0);
        kms.failNext(0);
        kms.resetCounts();
    }

    @Override
    KmsClient client() {
        return client;
    }

    @Override
    String createKey() {
        return kms.createKey();
    }

    @Override
    void createAlias(String alias, String keyArn) {
        kms.createAlias(alias, keyArn);
    }

    @Override
    void disableKey(String keyArn) {
        kms.disableKey(keyArn);
    }

    @Test
    void generate_keyArn_describedOncePerProvider() {
        String arn = kms.createKey();
        KeyProvider provider = provider();

        for (int i = 0; i < 3; i++) {
            provider.generateDataKey(arn, CONTEXT);
        }

        assertThat(kms.requestCount("DescribeKey")).isEqualTo(1);
        assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(3);
    }

    @Test
    void canonical_unknownKeyArn_keyNotFound() {
        String unknown = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000";

        assertThatThrownBy(() -> provider().canonicalMasterKeyId(unknown))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS DescribeKey for key " + unknown + " refused: no such key in this account and"
                        + " region; check the configured master key id and region")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.KEY_NOT_FOUND);
        assertThat(kms.requestCount("DescribeKey")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(IdForm.class)
    void canonical_disabledKey_keyDisabledNamingKeyAndState(IdForm form) {
        String arn = kms.createKey();
        String configured = form.of(arn, newAlias(arn));
        kms.disableKey(arn);

        assertThatThrownBy(() -> provider().canonicalMasterKeyId(configured))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS key " + arn + " is Disabled; enable it or configure another key")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.KEY_DISABLED);
    }

    @ParameterizedTest
    @EnumSource(IdForm.class)
    void canonical_keyPendingDeletion_keyDisabledNamingKeyAndState(IdForm form) {
        String arn = kms.createKey();
        String configured = form.of(arn, newAlias(arn));
        kms.scheduleKeyDeletion(arn);

        assertThatThrownBy(() -> provider().canonicalMasterKeyId(configured))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS key " + arn + " is PendingDeletion; cancel its deletion and enable it, or configure"
                        + " another key")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.KEY_DISABLED);
    }

    @Test
    void canonical_signingKey_rejectedNamingItsUsage() {
        String arn = kms.createKey("ECC_NIST_P256", "SIGN_VERIFY");

        assertThatThrownBy(() -> provider().canonicalMasterKeyId(arn))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS key " + arn + " has key usage SIGN_VERIFY, not ENCRYPT_DECRYPT; configure a symmetric"
                        + " encryption key (key spec SYMMETRIC_DEFAULT, key usage ENCRYPT_DECRYPT)")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.REJECTED);
    }

    @Test
    void canonical_asymmetricEncryptionKey_rejectedNamingItsSpec() {
        String arn = kms.createKey("RSA_2048", "ENCRYPT_DECRYPT");
        String alias = newAlias(arn);

        assertThatThrownBy(() -> provider().canonicalMasterKeyId(alias))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS key " + arn + " has key spec RSA_2048, not SYMMETRIC_DEFAULT; configure a symmetric"
                        + " encryption key (key spec SYMMETRIC_DEFAULT, key usage ENCRYPT_DECRYPT)")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.REJECTED);
    }

    @Test
    void canonical_disabledSigningKey_rejectedForItsType() {
        String arn = kms.createKey("HMAC_256", "GENERATE_VERIFY_MAC");
        kms.disableKey(arn);

        assertThatThrownBy(() -> provider().canonicalMasterKeyId(arn))
                .isInstanceOf(KeyProviderException.class)
                .hasMessageStartingWith("KMS key " + arn + " has key usage GENERATE_VERIFY_MAC, not ENCRYPT_DECRYPT;")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.REJECTED);
    }

    @Test
    void canonical_everyForm_describedOncePerConfiguredIdThenCached() {
        String arn = kms.createKey();
        String alias = newAlias(arn);
        KeyProvider provider = provider();

        for (int i = 0; i < 3; i++) {
            for (IdForm form : IdForm.values()) {
                assertThat(provider.canonicalMasterKeyId(form.of(arn, alias))).isEqualTo(arn);
            }
        }

        assertThat(kms.requestCount("DescribeKey")).isEqualTo(IdForm.values().length);
        assertThat(kms.requestCount("DescribeKey", arn)).isEqualTo(IdForm.values().length);
    }

    @Test
    void canonical_existingAlias_resolvesToItsKeyArn() {
        String arn = kms.createKey();
        String alias = newAlias(arn);
        KeyProvider provider = provider();

        assertThat(provider.canonicalMasterKeyId(alias)).isEqualTo(arn);
        assertThat(provider.canonicalMasterKeyId(IdForm.ALIAS_ARN.of(arn, alias)))
                .isEqualTo(arn);
    }

    @Test
    void canonical_refusedKeyEnabledAgain_describedAgainAndResolves() {
        String arn = kms.createKey();
        kms.disableKey(arn);
        KeyProvider provider = provider();
        assertThatThrownBy(() -> provider.canonicalMasterKeyId(arn))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS key " + arn + " is Disabled; enable it or configure another key");

        kms.enableKey(arn);

        assertThat(provider.canonicalMasterKeyId(arn)).isEqualTo(arn);
        assertThat(provider.canonicalMasterKeyId(arn)).isEqualTo(arn);
        assertThat(kms.requestCount("DescribeKey")).isEqualTo(2);
    }

    @Test
    void canonical_kmsFailsOnce_unavailableThenResolves() {
        String arn = kms.createKey();
        KeyProvider provider = provider();
        kms.failNext(1);

        assertThatThrownBy(() -> provider.canonicalMasterKeyId(arn))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS DescribeKey for key " + arn + " failed inside KMS (KmsInternalException); retry later")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.UNAVAILABLE);
        assertThat(provider.canonicalMasterKeyId(arn)).isEqualTo(arn);
    }

    @Test
    void canonical_resolvedKeyDisabledLater_stillACacheHitAndGenerateRefusedByKms() {
        String arn = kms.createKey();
        KeyProvider provider = provider();
        provider.canonicalMasterKeyId(arn);
        kms.disableKey(arn);

        assertThat(provider.canonicalMasterKeyId(arn)).isEqualTo(arn);
        assertThatThrownBy(() -> provider.generateDataKey(arn, CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS GenerateDataKey for key " + arn + " refused: the key is disabled or pending deletion;"
                        + " enable it in KMS, or configure another master key")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.KEY_DISABLED);
        assertThat(kms.requestCount("DescribeKey")).isEqualTo(1);
    }

    @Test
    void generate_aliasRepointed_resolvedAgainOnceAndRecordsTheNewKey() {
        String first = kms.createKey();
        String second = kms.createKey();
        String alias = newAlias(first);
        KeyProvider provider = provider();
        assertThat(provider.generateDataKey(alias, CONTEXT).wrapped().masterKeyId())
                .isEqualTo(first);

        kms.updateAlias(alias, second);

        assertThat(provider.generateDataKey(alias, CONTEXT).wrapped().masterKeyId())
                .isEqualTo(second);
        assertThat(provider.canonicalMasterKeyId(alias)).isEqualTo(second);
        assertThat(provider.generateDataKey(alias, CONTEXT).wrapped().masterKeyId())
                .isEqualTo(second);
        assertThat(kms.requestCount("DescribeKey")).isEqualTo(2);
    }

    @Test
    void generate_alias_describedOncePerProvider() {
        String arn = kms.createKey();
        kms.createAlias("alias/once", arn);
        KeyProvider provider = provider();

        for (int i = 0; i < 3; i++) {
            provider.generateDataKey("alias/once", CONTEXT);
        }

        assertThat(kms.requestCount("DescribeKey")).isEqualTo(1);
    }

    @Test
    void generate_answerNamesAnotherKey_refused() {
        String arn = kms.createKey();
        String other = kms.createKey();
        kms.answerWithKeyArn(other);

        assertThatThrownBy(() -> provider().generateDataKey(arn, CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS GenerateDataKey answered with key " + other + " but key " + arn
                        + " was requested; refusing the answer")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.WRONG_KEY);
        assertThat(kms.requestCount("DescribeKey"))
                .as("a key ARN is not described again")
                .isEqualTo(1);
    }

    @Test
    void decrypt_reportsTheKeyKmsNamed_forTheCallerToCheck() {
        String arn = kms.createKey();
        String other = kms.createKey();
        WrappedDataKey wrapped = provider().generateDataKey(arn, CONTEXT).wrapped();
        kms.answerWithKeyArn(other);

        assertThat(provider().decryptDataKey(wrapped, CONTEXT).masterKeyId()).isEqualTo(other);
    }

    @Test
    void decrypt_blobOfAnotherKey_wrongKey() {
        String arn = kms.createKey();
        String other = kms.createKey();
        WrappedDataKey wrapped = provider().generateDataKey(arn, CONTEXT).wrapped();

        assertThatThrownBy(() -> provider().decryptDataKey(new WrappedDataKey(other, wrapped.encryptedKey()), CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage(
                        "KMS Decrypt for key " + other + " refused: the data key was encrypted under another KMS key")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.WRONG_KEY);
    }

    @Test
    void generate_accessDenied_namesPermission() {
        String arn = kms.createKey();
        kms.denyAccess(arn);

        assertThatThrownBy(() -> provider().generateDataKey(arn, CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS GenerateDataKey for key " + arn + " refused: access denied; grant"
                        + " kms:GenerateDataKey on the key to the application's credentials")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.ACCESS_DENIED);
    }

    @Test
    void generate_throttledOnce_retriedByClientAndSucceeds() {
        String arn = kms.createKey();
        try (KmsClient retrying = kms.newClient(3)) {
            kms.throttleNext(2);

            assertThat(KeyProviders.awsKms(retrying)
                            .generateDataKey(arn, CONTEXT)
                            .wrapped()
                            .masterKeyId())
                    .isEqualTo(arn);
            assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(3);
        }
    }

    @Test
    void generate_throttledBeyondAttempts_throttledWithAdvice() {
        String arn = kms.createKey();
        try (KmsClient retrying = kms.newClient(3)) {
            kms.throttleNext(5);

            assertThatThrownBy(() -> KeyProviders.awsKms(retrying).generateDataKey(arn, CONTEXT))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessage("KMS GenerateDataKey for key " + arn + " was throttled and the client's retries ran"
                            + " out; retry later, or raise the data keys' maximum age to call KMS less often")
                    .extracting(e -> ((KeyProviderException) e).reason())
                    .isEqualTo(Reason.THROTTLED);
            assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(3);
        } finally {
            kms.throttleNext(0);
        }
    }

    @Test
    void optionsClient_serverErrors_retriedWithinBoundThenUnavailable() {
        String arn = kms.createKey();
        try (KeyProvider provider = ownClient(AwsKmsOptions.defaults().withMaxAttempts(3))) {
            kms.failNext(2);
            assertThat(provider.generateDataKey(arn, CONTEXT).wrapped().masterKeyId())
                    .isEqualTo(arn);
            assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(3);

            kms.resetCounts();
            kms.failNext(10);
            assertThatThrownBy(() -> provider.generateDataKey(arn, CONTEXT))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessage("KMS GenerateDataKey for key " + arn + " failed inside KMS (KmsInternalException);"
                            + " retry later")
                    .extracting(e -> ((KeyProviderException) e).reason())
                    .isEqualTo(Reason.UNAVAILABLE);
            assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(3);
        } finally {
            kms.failNext(0);
        }
    }

    @Test
    void optionsClient_slowKms_boundedByAttemptTimeout() {
        String arn = kms.createKey();
        kms.delayEachRequest(Duration.ofSeconds(3));
        AwsKmsOptions options =
                AwsKmsOptions.defaults().withMaxAttempts(1).withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(1));
        try (KeyProvider provider = ownClient(options)) {
            assertThatThrownBy(() -> provider.generateDataKey(arn, CONTEXT))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessageStartingWith("KMS GenerateDataKey for key " + arn + " failed before KMS answered (")
                    .hasMessageEndingWith("): check the endpoint, the network and the timeouts")
                    .extracting(e -> ((KeyProviderException) e).reason())
                    .isEqualTo(Reason.UNAVAILABLE);
        }
    }

    @Test
    void optionsClient_nothingListening_unavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        AwsKmsOptions options = AwsKmsOptions.defaults()
                .withRegion("us-east-1")
                .withMaxAttempts(1)
                .withEndpoint(URI.create("http://127.0.0.1:" + port));
        try (KeyProvider provider = withTestCredentials(() -> KeyProviders.awsKms(options))) {
            assertThatThrownBy(() -> provider.generateDataKey("arn:aws:kms:us-east-1:1:key/x", CONTEXT))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessageEndingWith("): check the endpoint, the network and the timeouts")
                    .extracting(e -> ((KeyProviderException) e).reason())
                    .isEqualTo(Reason.UNAVAILABLE);
        }
    }

    @ParameterizedTest
    @MethodSource("keyStates")
    void canonical_keyState_acceptedOrRefusedWithReason(KeyState state, Reason reason, String message) {
        String arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        KeyProvider provider = KeyProviders.awsKms(describing(KeyMetadata.builder()
                .arn(arn)
                .keyState(state)
                .keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                .keySpec(KeySpec.SYMMETRIC_DEFAULT)
                .build()));

        if (reason == null) {
            assertThat(provider.canonicalMasterKeyId("alias/app")).isEqualTo(arn);
        } else {
            assertThatThrownBy(() -> provider.canonicalMasterKeyId("alias/app"))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessage("KMS key " + arn + message)
                    .extracting(e -> ((KeyProviderException) e).reason())
                    .isEqualTo(reason);
        }
    }

    static Stream<Arguments> keyStates() {
        return Stream.of(
                Arguments.of(KeyState.ENABLED, null, null),
                Arguments.of(KeyState.UPDATING, null, null),
                Arguments.of(
                        KeyState.DISABLED, Reason.KEY_DISABLED, " is Disabled; enable it or configure another key"),
                Arguments.of(
                        KeyState.PENDING_DELETION,
                        Reason.KEY_DISABLED,
                        " is PendingDeletion; cancel its deletion and enable it, or configure another key"),
                Arguments.of(
                        KeyState.PENDING_REPLICA_DELETION,
                        Reason.KEY_DISABLED,
                        " is PendingReplicaDeletion; cancel its deletion and enable it, or configure another key"),
                Arguments.of(
                        KeyState.PENDING_IMPORT,
                        Reason.KEY_DISABLED,
                        " is PendingImport; import its key material, or configure another key"),
                Arguments.of(
                        KeyState.UNAVAILABLE,
                        Reason.UNAVAILABLE,
                        " is Unavailable: its custom key store is disconnected; connect the key store, or retry later"),
                Arguments.of(KeyState.CREATING, Reason.UNAVAILABLE, " is Creating; retry once it is Enabled"),
                Arguments.of(
                        null,
                        Reason.KEY_DISABLED,
                        " reports no key state, not Enabled; enable it or configure another key"));
    }

    @Test
    void canonical_keyStateUnknownToTheSdk_keyDisabledNamingTheState() {
        String arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        KeyProvider provider = KeyProviders.awsKms(describing(KeyMetadata.builder()
                .arn(arn)
                .keyState("Frozen")
                .keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                .keySpec(KeySpec.SYMMETRIC_DEFAULT)
                .build()));

        assertThatThrownBy(() -> provider.canonicalMasterKeyId(arn))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS key " + arn + " is Frozen, not Enabled; enable it or configure another key")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.KEY_DISABLED);
    }

    @Test
    void canonical_describeAnswerWithoutArn_rejected() {
        KeyProvider provider = KeyProviders.awsKms(describing(KeyMetadata.builder()
                .keyState(KeyState.ENABLED)
                .keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                .keySpec(KeySpec.SYMMETRIC_DEFAULT)
                .build()));

        assertThatThrownBy(() -> provider.canonicalMasterKeyId("alias/app"))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS DescribeKey for key alias/app answered without the key's ARN; refusing the answer")
                .extracting(e -> ((KeyProviderException) e).reason())
                .isEqualTo(Reason.REJECTED);
    }

    /** The forms a master key may be configured in. */
    enum IdForm {
        KEY_ID,
        KEY_ARN,
        ALIAS,
        ALIAS_ARN;

        String of(String keyArn, String alias) {
            return switch (this) {
                case KEY_ID -> keyArn.substring(keyArn.indexOf(":key/") + ":key/".length());
                case KEY_ARN -> keyArn;
                case ALIAS -> alias;
                case ALIAS_ARN -> "arn:aws:kms:us-east-1:111122223333:" + alias;
            };
        }
    }

    private static String newAlias(String keyArn) {
        String alias = "alias/fieldcrypt-" + UUID.randomUUID();
        kms.createAlias(alias, keyArn);
        return alias;
    }

    /** A client whose DescribeKey answers with {@code metadata}; it supports no other operation. */
    private static KmsClient describing(KeyMetadata metadata) {
        return new KmsClient() {
            @Override
            public DescribeKeyResponse describeKey(DescribeKeyRequest request) {
                return DescribeKeyResponse.builder().keyMetadata(metadata).build();
            }

            @Override
            public String serviceName() {
                return SERVICE_NAME;
            }

            @Override
            public void close() {}
        };
    }

    /** A provider that builds its own client for the wire server from options, as production code does. */
    private static KeyProvider ownClient(AwsKmsOptions options) {
        return withTestCredentials(
                () -> KeyProviders.awsKms(options.withRegion("us-east-1").withEndpoint(kms.endpoint())));
    }

    /** The default credentials chain reads these system properties; set them for the client's whole life. */
    private static KeyProvider withTestCredentials(java.util.function.Supplier<KeyProvider> build) {
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        return build.get();
    }
}
