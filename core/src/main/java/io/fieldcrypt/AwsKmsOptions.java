package io.fieldcrypt;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link KeyProviders#awsKms(AwsKmsOptions)} builds its own {@code KmsClient}. Credentials always come from the
 * AWS SDK's default chain (environment, system properties, profile, container or instance role); users who need
 * anything else build the client themselves and pass it to {@link KeyProviders#awsKms(
 * software.amazon.awssdk.services.kms.KmsClient)}.
 *
 * @param region the AWS region, or {@code null} for the SDK's default region chain
 * @param endpoint a KMS-compatible endpoint (LocalStack, a VPC endpoint), or {@code null} for the region's KMS
 * @param maxAttempts attempts per call, including the first, with the SDK's standard backoff between them for
 *     throttling, server errors and network faults; at least 1
 * @param attemptTimeout the time one attempt may take
 * @param callTimeout the time one call may take, all attempts included
 */
public record AwsKmsOptions(
        String region, URI endpoint, int maxAttempts, Duration attemptTimeout, Duration callTimeout) {

    /** The default number of attempts per call: 3. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** The default timeout of one attempt: 2 seconds. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    /** The default timeout of a whole call: 10 seconds. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @throws ConfigurationException if a bound is out of range
     */
    public AwsKmsOptions {
        Objects.requireNonNull(attemptTimeout, "attemptTimeout");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (maxAttempts < 1) {
            throw new ConfigurationException("KMS maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (attemptTimeout.isNegative()
                || attemptTimeout.isZero()
                || callTimeout.isNegative()
                || callTimeout.isZero()) {
            throw new ConfigurationException("KMS timeouts must be positive");
        }
    }

    /**
     * @return the defaults: region and endpoint from the SDK, {@value #DEFAULT_MAX_ATTEMPTS} attempts, 2 s per
     *     attempt, 10 s per call
     */
    public static AwsKmsOptions defaults() {
        return new AwsKmsOptions(null, null, DEFAULT_MAX_ATTEMPTS, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CALL_TIMEOUT);
    }

    /**
     * @param newRegion the region, or {@code null}
     * @return a copy with that region
     */
    public AwsKmsOptions withRegion(String newRegion) {
        return new AwsKmsOptions(newRegion, endpoint, maxAttempts, attemptTimeout, callTimeout);
    }

    /**
     * @param newEndpoint the endpoint, or {@code null}
     * @return a copy with that endpoint
     */
    public AwsKmsOptions withEndpoint(URI newEndpoint) {
        return new AwsKmsOptions(region, newEndpoint, maxAttempts, attemptTimeout, callTimeout);
    }

    /**
     * @param newMaxAttempts attempts per call
     * @return a copy with that bound
     */
    public AwsKmsOptions withMaxAttempts(int newMaxAttempts) {
        return new AwsKmsOptions(region, endpoint, newMaxAttempts, attemptTimeout, callTimeout);
    }

    /**
     * @param newAttemptTimeout time per attempt
     * @param newCallTimeout time per call
     * @return a copy with those timeouts
     */
    public AwsKmsOptions withTimeouts(Duration newAttemptTimeout, Duration newCallTimeout) {
        return new AwsKmsOptions(region, endpoint, maxAttempts, newAttemptTimeout, newCallTimeout);
    }
}
