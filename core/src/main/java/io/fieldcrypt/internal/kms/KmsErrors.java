package io.fieldcrypt.internal.kms;

import io.fieldcrypt.KeyProviderException;
import io.fieldcrypt.KeyProviderException.Reason;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.model.DependencyTimeoutException;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyUnavailableException;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.LimitExceededException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/** Maps AWS SDK failures of KMS calls to {@link KeyProviderException}s whose messages say what to do. */
final class KmsErrors {

    private KmsErrors() {}

    static KeyProviderException translate(String operation, String keyId, SdkException e) {
        String call = "KMS " + operation + " for key " + keyId;
        if (e instanceof SdkClientException
                && e.getMessage() != null
                && e.getMessage().contains("Unable to load credentials")) {
            return new KeyProviderException(
                    Reason.ACCESS_DENIED,
                    call + " failed: no AWS credentials found; provide"
                            + " them through the AWS SDK's default chain (environment, profile, container or instance role),"
                            + " or pass a configured KmsClient",
                    e);
        }
        if (e instanceof SdkClientException) {
            return new KeyProviderException(
                    Reason.UNAVAILABLE,
                    call + " failed before KMS answered (" + e.getClass().getSimpleName()
                            + "): check the endpoint, the network and the timeouts",
                    e);
        }
        if (e instanceof DisabledException || e instanceof KmsInvalidStateException) {
            return new KeyProviderException(
                    Reason.KEY_DISABLED,
                    call + " refused: the key is disabled or pending"
                            + " deletion; enable it in KMS, or configure another master key",
                    e);
        }
        if (e instanceof NotFoundException) {
            return new KeyProviderException(
                    Reason.KEY_NOT_FOUND,
                    call + " refused: no such key in this account"
                            + " and region; check the configured master key id and region",
                    e);
        }
        if (e instanceof InvalidCiphertextException) {
            return new KeyProviderException(
                    Reason.INVALID_CIPHERTEXT,
                    call + " refused: the encrypted data key or" + " its encryption context is not what KMS issued",
                    e);
        }
        if (e instanceof IncorrectKeyException) {
            return new KeyProviderException(
                    Reason.WRONG_KEY, call + " refused: the data key was encrypted under another KMS key", e);
        }
        if (e instanceof LimitExceededException) {
            return new KeyProviderException(
                    Reason.THROTTLED,
                    call + " refused: a KMS quota was exceeded;"
                            + " retry later, or raise the data keys' maximum age to call KMS less often",
                    e);
        }
        if (e instanceof KmsInternalException
                || e instanceof DependencyTimeoutException
                || e instanceof KeyUnavailableException) {
            return new KeyProviderException(
                    Reason.UNAVAILABLE,
                    call + " failed inside KMS (" + e.getClass().getSimpleName() + "); retry later",
                    e);
        }
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null
                    ? null
                    : service.awsErrorDetails().errorCode();
            if (service.isThrottlingException()) {
                return new KeyProviderException(
                        Reason.THROTTLED,
                        call + " was throttled and the client's retries"
                                + " ran out; retry later, or raise the data keys' maximum age to call KMS less often",
                        e);
            }
            if ("AccessDeniedException".equals(code) || service.statusCode() == 403) {
                return new KeyProviderException(
                        Reason.ACCESS_DENIED,
                        call + " refused: access denied; grant" + " kms:" + operation
                                + " on the key to the application's credentials",
                        e);
            }
            if (service.statusCode() >= 500) {
                return new KeyProviderException(
                        Reason.UNAVAILABLE,
                        call + " failed with HTTP " + service.statusCode() + " (" + code + "); retry later",
                        e);
            }
            return new KeyProviderException(Reason.REJECTED, call + " refused: " + code, e);
        }
        return new KeyProviderException(
                Reason.UNAVAILABLE, call + " failed: " + e.getClass().getSimpleName(), e);
    }
}
