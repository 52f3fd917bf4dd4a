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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The AWS KMS provider through the real {@link KmsClient}, against the KMS wire server: the shared contract, plus
 * the faults only a controllable server can produce.
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
    void generate_keyArn_noDescribeKeyCall() {
        String arn = kms.createKey();

        provider().generateDataKey(arn, CONTEXT);

        assertThat(kms.requestCount("DescribeKey")).isZero();
        assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(1);
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
                .extracting(e -> ((KeyProviderException) e).reason()).isEqualTo(Reason.WRONG_KEY);
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
                .hasMessage("KMS Decrypt for key " + other
                        + " refused: the data key was encrypted under another KMS key")
                .extracting(e -> ((KeyProviderException) e).reason()).isEqualTo(Reason.WRONG_KEY);
    }

    @Test
    void generate_accessDenied_namesPermission() {
        String arn = kms.createKey();
        kms.denyAccess(arn);

        assertThatThrownBy(() -> provider().generateDataKey(arn, CONTEXT))
                .isInstanceOf(KeyProviderException.class)
                .hasMessage("KMS GenerateDataKey for key " + arn + " refused: access denied; grant"
                        + " kms:GenerateDataKey on the key to the application's credentials")
                .extracting(e -> ((KeyProviderException) e).reason()).isEqualTo(Reason.ACCESS_DENIED);
    }

    @Test
    void generate_throttledOnce_retriedByClientAndSucceeds() {
        String arn = kms.createKey();
        try (KmsClient retrying = kms.newClient(3)) {
            kms.throttleNext(2);

            assertThat(KeyProviders.awsKms(retrying).generateDataKey(arn, CONTEXT).wrapped().masterKeyId())
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
                            + " out; retry later, or raise fieldcrypt.data-key.max-age to call KMS less often")
                    .extracting(e -> ((KeyProviderException) e).reason()).isEqualTo(Reason.THROTTLED);
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
            assertThat(provider.generateDataKey(arn, CONTEXT).wrapped().masterKeyId()).isEqualTo(arn);
            assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(3);

            kms.resetCounts();
            kms.failNext(10);
            assertThatThrownBy(() -> provider.generateDataKey(arn, CONTEXT))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessage("KMS GenerateDataKey for key " + arn + " failed inside KMS (KmsInternalException);"
                            + " retry later")
                    .extracting(e -> ((KeyProviderException) e).reason()).isEqualTo(Reason.UNAVAILABLE);
            assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(3);
        } finally {
            kms.failNext(0);
        }
    }

    @Test
    void optionsClient_slowKms_boundedByAttemptTimeout() {
        String arn = kms.createKey();
        kms.delayEachRequest(Duration.ofSeconds(3));
        AwsKmsOptions options = AwsKmsOptions.defaults().withMaxAttempts(1)
                .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(1));
        try (KeyProvider provider = ownClient(options)) {
            assertThatThrownBy(() -> provider.generateDataKey(arn, CONTEXT))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessageStartingWith("KMS GenerateDataKey for key " + arn + " failed before KMS answered (")
                    .hasMessageEndingWith("): check the endpoint, the network and the timeouts")
                    .extracting(e -> ((KeyProviderException) e).reason()).isEqualTo(Reason.UNAVAILABLE);
        }
    }

    @Test
    void optionsClient_nothingListening_unavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        AwsKmsOptions options = AwsKmsOptions.defaults().withRegion("us-east-1").withMaxAttempts(1)
                .withEndpoint(URI.create("http://127.0.0.1:" + port));
        try (KeyProvider provider = withTestCredentials(() -> KeyProviders.awsKms(options))) {
            assertThatThrownBy(() -> provider.generateDataKey("arn:aws:kms:us-east-1:1:key/x", CONTEXT))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessageEndingWith("): check the endpoint, the network and the timeouts")
                    .extracting(e -> ((KeyProviderException) e).reason()).isEqualTo(Reason.UNAVAILABLE);
        }
    }

    /** A provider that builds its own client for the wire server from options, as production code does. */
    private static KeyProvider ownClient(AwsKmsOptions options) {
        return withTestCredentials(() -> KeyProviders.awsKms(options.withRegion("us-east-1")
                .withEndpoint(kms.endpoint())));
    }

    /** The default credentials chain reads these system properties; set them for the client's whole life. */
    private static KeyProvider withTestCredentials(java.util.function.Supplier<KeyProvider> build) {
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        return build.get();
    }
}
