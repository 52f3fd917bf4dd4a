package io.fieldcrypt.internal.kms;

import static org.assertj.core.api.Assertions.assertThat;

import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.KeyProviderException.Reason;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The translations that the KMS wire server cannot provoke. */
class KmsErrorsTest {

    @Test
    void noCredentials_accessDeniedWithAdvice() {
        KeyProviderException e = KmsErrors.translate(
                "GenerateDataKey",
                "alias/app",
                SdkClientException.create(
                        "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain"));

        assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
        assertThat(e)
                .hasMessage("KMS GenerateDataKey for key alias/app failed: no AWS credentials found; provide them"
                        + " through the AWS SDK's default chain (environment, profile, container or instance role), or pass a"
                        + " configured KmsClient");
    }

    @Test
    void otherClientFailure_unavailable() {
        KeyProviderException e = KmsErrors.translate("Decrypt", "k", SdkClientException.create("Connection reset"));

        assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
        assertThat(e)
                .hasMessage("KMS Decrypt for key k failed before KMS answered (SdkClientException): check the"
                        + " endpoint, the network and the timeouts");
    }
}
