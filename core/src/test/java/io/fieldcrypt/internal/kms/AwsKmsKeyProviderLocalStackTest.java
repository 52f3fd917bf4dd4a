package io.fieldcrypt.internal.kms;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The same contract against LocalStack's KMS, where a Docker engine answers. Without Docker this class is skipped,
 * and {@link AwsKmsKeyProviderTest} runs every one of its scenarios against the KMS wire server instead.
 */
@Testcontainers(disabledWithoutDocker = true)
class AwsKmsKeyProviderLocalStackTest extends AwsKmsKeyProviderContract {

    @Container
    static final LocalStackContainer LOCALSTACK =
            new LocalStackContainer("localstack/localstack:4.4").withServices("kms");

    private static KmsClient client;

    @BeforeAll
    static void connect() {
        client = KmsClient.builder()
                .endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())))
                .build();
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    @Override
    KmsClient client() {
        return client;
    }

    @Override
    String createKey() {
        return client.createKey(r -> r.description("fieldcrypt test"))
                .keyMetadata()
                .arn();
    }

    @Override
    void createAlias(String alias, String keyArn) {
        client.createAlias(r -> r.aliasName(alias).targetKeyId(keyArn));
    }

    @Override
    void disableKey(String keyArn) {
        client.disableKey(r -> r.keyId(keyArn));
    }
}
