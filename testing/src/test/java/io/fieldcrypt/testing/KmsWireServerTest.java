package io.fieldcrypt.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;

class KmsWireServerTest {

    private static final Map<String, String> CONTEXT = Map.of("table", "person", "column", "ssn");
    private static final String ARN_PREFIX = "arn:aws:kms:us-east-1:111122223333:key/";

    private KmsWireServer server;
    private KmsClient kms;
    private String key;

    @BeforeEach
    void start() {
        server = KmsWireServer.start();
        kms = server.newClient();
        key = server.createKey();
    }

    @AfterEach
    void stop() {
        kms.close();
        server.close();
    }

    @Test
    void createKey_always_returnsAnArnWithAUuid() {
        assertThat(key).matches("arn:aws:kms:us-east-1:111122223333:key/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
        assertThat(server.createKey()).isNotEqualTo(key);
        assertThat(server.endpoint().toString()).matches("http://127\\.0\\.0\\.1:[0-9]+");
    }

    @Test
    void generateDataKey_thenDecryptWithSameContext_returnsTheDataKeyAndKeyArn() {
        GenerateDataKeyResponse generated = generate(key, CONTEXT);

        DecryptResponse decrypted = decrypt(generated.ciphertextBlob(), CONTEXT);

        assertThat(generated.plaintext().asByteArray()).hasSize(32);
        assertThat(generated.keyId()).isEqualTo(key);
        assertThat(decrypted.plaintext()).isEqualTo(generated.plaintext());
        assertThat(decrypted.keyId()).isEqualTo(key);
        assertThat(decrypted.encryptionAlgorithm()).isEqualTo(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT);
    }

    @Test
    void generateDataKey_twice_returnsDifferentKeysAndBlobs() {
        GenerateDataKeyResponse first = generate(key, CONTEXT);
        GenerateDataKeyResponse second = generate(key, CONTEXT);

        assertThat(first.plaintext()).isNotEqualTo(second.plaintext());
        assertThat(first.ciphertextBlob()).isNotEqualTo(second.ciphertextBlob());
    }

    @Test
    void generateDataKey_withOtherSizes_returnsThatManyBytes() {
        GenerateDataKeyResponse aes128 = kms.generateDataKey(r -> r.keyId(key).keySpec(DataKeySpec.AES_128));
        GenerateDataKeyResponse sevenBytes =
                kms.generateDataKey(r -> r.keyId(key).numberOfBytes(7));

        assertThat(aes128.plaintext().asByteArray()).hasSize(16);
        assertThat(sevenBytes.plaintext().asByteArray()).hasSize(7);
        assertThat(decrypt(sevenBytes.ciphertextBlob(), Map.of()).plaintext()).isEqualTo(sevenBytes.plaintext());
    }

    @Test
    void generateDataKey_withoutKeySpecOrNumberOfBytes_throwsValidationException() {
        assertKmsError(
                () -> kms.generateDataKey(r -> r.keyId(key)),
                KmsException.class,
                400,
                "ValidationException",
                "Please specify either number of bytes or key spec.");
    }

    @Test
    void decrypt_withDifferentContext_throwsInvalidCiphertext() {
        SdkBytes blob = generate(key, CONTEXT).ciphertextBlob();

        assertKmsError(
                () -> decrypt(blob, Map.of("table", "person", "column", "email")),
                InvalidCiphertextException.class,
                400,
                "InvalidCiphertextException",
                "ciphertext is invalid");
    }

    @Test
    void decrypt_withoutContext_throwsInvalidCiphertext() {
        SdkBytes blob = generate(key, CONTEXT).ciphertextBlob();

        assertKmsError(
                () -> kms.decrypt(r -> r.ciphertextBlob(blob)),
                InvalidCiphertextException.class,
                400,
                "InvalidCiphertextException",
                "ciphertext is invalid");
    }

    @Test
    void decrypt_garbledOrShortBlob_throwsInvalidCiphertext() {
        byte[] garbled = generate(key, CONTEXT).ciphertextBlob().asByteArray();
        garbled[garbled.length - 1] ^= 1;
        SdkBytes shortBlob = SdkBytes.fromByteArray(new byte[10]);

        assertKmsError(
                () -> decrypt(SdkBytes.fromByteArray(garbled), CONTEXT),
                InvalidCiphertextException.class,
                400,
                "InvalidCiphertextException",
                "ciphertext is invalid");
        assertKmsError(
                () -> decrypt(shortBlob, CONTEXT),
                InvalidCiphertextException.class,
                400,
                "InvalidCiphertextException",
                "ciphertext is invalid");
    }

    @Test
    void decrypt_namingAnotherKey_throwsIncorrectKey() {
        String other = server.createKey();
        SdkBytes blob = generate(key, CONTEXT).ciphertextBlob();

        assertKmsError(
                () -> kms.decrypt(
                        r -> r.ciphertextBlob(blob).encryptionContext(CONTEXT).keyId(other)),
                IncorrectKeyException.class,
                400,
                "IncorrectKeyException",
                "does not identify a KMS key");
    }

    @Test
    void decrypt_namingTheBlobsKey_succeeds() {
        GenerateDataKeyResponse generated = generate(key, CONTEXT);

        DecryptResponse decrypted = kms.decrypt(r -> r.ciphertextBlob(generated.ciphertextBlob())
                .encryptionContext(CONTEXT)
                .keyId(key));

        assertThat(decrypted.plaintext()).isEqualTo(generated.plaintext());
    }

    @Test
    void alias_byNameOrArn_resolvesToTheKey() {
        server.createAlias("alias/app", key);

        GenerateDataKeyResponse byName = generate("alias/app", CONTEXT);
        KeyMetadata byArn = kms.describeKey(r -> r.keyId("arn:aws:kms:us-east-1:111122223333:alias/app"))
                .keyMetadata();
        DecryptResponse namingAlias = kms.decrypt(r -> r.ciphertextBlob(byName.ciphertextBlob())
                .encryptionContext(CONTEXT)
                .keyId("alias/app"));

        assertThat(byName.keyId()).isEqualTo(key);
        assertThat(byArn.arn()).isEqualTo(key);
        assertThat(namingAlias.plaintext()).isEqualTo(byName.plaintext());
    }

    @Test
    void unknownKeyOrAlias_anyOperation_throwsNotFound() {
        String unknownArn = ARN_PREFIX + "00000000-0000-0000-0000-000000000000";

        assertKmsError(
                () -> generate(unknownArn, CONTEXT),
                NotFoundException.class,
                400,
                "NotFoundException",
                "Key '" + unknownArn + "' does not exist");
        assertKmsError(
                () -> kms.describeKey(r -> r.keyId("alias/missing")),
                NotFoundException.class,
                400,
                "NotFoundException",
                "Alias alias/missing is not found.");
    }

    @Test
    void unknownKeyIdWithQuotesBackslashAndControlCharacters_errorMessage_reachesTheClientUnchanged() {
        String oddId = "alias/\"quoted\" back\\slash tab\t newline\n \u00e9\u20ac";

        assertKmsError(
                () -> kms.describeKey(r -> r.keyId(oddId)),
                NotFoundException.class,
                400,
                "NotFoundException",
                "Alias " + oddId + " is not found.");
    }

    @Test
    void describeKey_byUuid_returnsTheKeysMetadata() {
        String uuid = key.substring(ARN_PREFIX.length());

        KeyMetadata metadata = kms.describeKey(r -> r.keyId(uuid)).keyMetadata();

        assertThat(metadata.arn()).isEqualTo(key);
        assertThat(metadata.keyId()).isEqualTo(uuid);
        assertThat(metadata.awsAccountId()).isEqualTo("111122223333");
        assertThat(metadata.enabled()).isTrue();
        assertThat(metadata.keyState()).isEqualTo(KeyState.ENABLED);
        assertThat(metadata.keyUsageAsString()).isEqualTo("ENCRYPT_DECRYPT");
        assertThat(metadata.keySpecAsString()).isEqualTo("SYMMETRIC_DEFAULT");
        assertThat(metadata.originAsString()).isEqualTo("AWS_KMS");
        assertThat(metadata.keyManagerAsString()).isEqualTo("CUSTOMER");
        assertThat(metadata.creationDate())
                .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
    }

    @Test
    void disabledKey_cryptoOperations_throwDisabledButDescribeWorks() {
        SdkBytes blob = generate(key, CONTEXT).ciphertextBlob();
        server.disableKey(key);

        assertKmsError(
                () -> generate(key, CONTEXT), DisabledException.class, 400, "DisabledException", key + " is disabled.");
        assertKmsError(
                () -> decrypt(blob, CONTEXT), DisabledException.class, 400, "DisabledException", key + " is disabled.");
        KeyMetadata metadata = kms.describeKey(r -> r.keyId(key)).keyMetadata();
        assertThat(metadata.enabled()).isFalse();
        assertThat(metadata.keyState()).isEqualTo(KeyState.DISABLED);
    }

    @Test
    void disabledKey_enabledAgain_decrypts() {
        GenerateDataKeyResponse generated = generate(key, CONTEXT);
        server.disableKey(key);
        server.enableKey(key);

        assertThat(decrypt(generated.ciphertextBlob(), CONTEXT).plaintext()).isEqualTo(generated.plaintext());
    }

    @Test
    void keyPendingDeletion_cryptoOperations_throwInvalidStateButDescribeReportsIt() {
        SdkBytes blob = generate(key, CONTEXT).ciphertextBlob();
        server.scheduleKeyDeletion(key);

        assertKmsError(
                () -> generate(key, CONTEXT),
                KmsInvalidStateException.class,
                400,
                "KMSInvalidStateException",
                key + " is pending deletion.");
        assertKmsError(
                () -> decrypt(blob, CONTEXT),
                KmsInvalidStateException.class,
                400,
                "KMSInvalidStateException",
                key + " is pending deletion.");
        KeyMetadata metadata = kms.describeKey(r -> r.keyId(key)).keyMetadata();
        assertThat(metadata.enabled()).isFalse();
        assertThat(metadata.keyState()).isEqualTo(KeyState.PENDING_DELETION);
        assertThat(metadata.deletionDate())
                .isBetween(
                        Instant.now().plus(Duration.ofDays(30)).minusSeconds(60),
                        Instant.now().plus(Duration.ofDays(30)));
    }

    @Test
    void keyPendingDeletion_enableOrDisable_refusedUntilDeletionCancelled() {
        server.scheduleKeyDeletion(key);

        assertThatThrownBy(() -> server.enableKey(key))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Key is pending deletion; cancel its deletion first: " + key);
        assertThatThrownBy(() -> server.disableKey(key))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Key is pending deletion; cancel its deletion first: " + key);

        server.cancelKeyDeletion(key);
        KeyMetadata cancelled = kms.describeKey(r -> r.keyId(key)).keyMetadata();
        assertThat(cancelled.keyState()).isEqualTo(KeyState.DISABLED);
        assertThat(cancelled.deletionDate()).isNull();
        assertThatThrownBy(() -> server.cancelKeyDeletion(key))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Key is not pending deletion: " + key);
        server.enableKey(key);
        assertThat(generate(key, CONTEXT).keyId()).isEqualTo(key);
    }

    @Test
    void keyOfAnotherType_describedWithItsSpecAndUsage_cryptoOperationsRefused() {
        String signing = server.createKey("RSA_2048", "SIGN_VERIFY");

        KeyMetadata metadata = kms.describeKey(r -> r.keyId(signing)).keyMetadata();

        assertThat(metadata.keyState()).isEqualTo(KeyState.ENABLED);
        assertThat(metadata.keySpec()).isEqualTo(KeySpec.RSA_2048);
        assertThat(metadata.keyUsage()).isEqualTo(KeyUsageType.SIGN_VERIFY);
        assertKmsError(
                () -> generate(signing, CONTEXT),
                InvalidKeyUsageException.class,
                400,
                "InvalidKeyUsageException",
                signing + " key usage is SIGN_VERIFY and key spec is RSA_2048, which is"
                        + " not valid for GenerateDataKey.");
        assertKmsError(
                () -> kms.encrypt(r -> r.keyId(signing).plaintext(SdkBytes.fromUtf8String("x"))),
                InvalidKeyUsageException.class,
                400,
                "InvalidKeyUsageException",
                "not valid for Encrypt.");
    }

    @Test
    void updateAlias_existingAlias_pointsAtTheOtherKey() {
        String other = server.createKey();
        server.createAlias("alias/app", key);

        server.updateAlias("alias/app", other);

        assertThat(generate("alias/app", CONTEXT).keyId()).isEqualTo(other);
        assertThat(kms.describeKey(r -> r.keyId("alias/app")).keyMetadata().arn())
                .isEqualTo(other);
        assertThatThrownBy(() -> server.updateAlias("alias/missing", other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("No such alias: alias/missing");
    }

    @Test
    void deniedKey_anyOperation_throwsPlainKmsExceptionWithAccessDenied() {
        SdkBytes blob = generate(key, CONTEXT).ciphertextBlob();
        server.denyAccess(key);

        assertKmsError(
                () -> generate(key, CONTEXT),
                KmsException.class,
                400,
                "AccessDeniedException",
                "not authorized to perform: kms:GenerateDataKey on resource: " + key);
        assertKmsError(
                () -> decrypt(blob, CONTEXT),
                KmsException.class,
                400,
                "AccessDeniedException",
                "not authorized to perform: kms:Decrypt on resource: " + key);
        assertKmsError(
                () -> kms.describeKey(r -> r.keyId(key)),
                KmsException.class,
                400,
                "AccessDeniedException",
                "not authorized to perform: kms:DescribeKey on resource: " + key);
    }

    @Test
    void deniedKey_accessAllowedAgain_decrypts() {
        GenerateDataKeyResponse generated = generate(key, CONTEXT);
        server.denyAccess(key);
        server.allowAccess(key);

        assertThat(decrypt(generated.ciphertextBlob(), CONTEXT).plaintext()).isEqualTo(generated.plaintext());
    }

    @Test
    void throttleNextTwo_withThreeAttempts_succeedsOnTheThirdRequest() {
        server.throttleNext(2);

        try (KmsClient retrying = server.newClient(3)) {
            GenerateDataKeyResponse generated =
                    retrying.generateDataKey(r -> r.keyId(key).keySpec(DataKeySpec.AES_256));

            assertThat(generated.keyId()).isEqualTo(key);
        }
        assertThat(server.requestCount("GenerateDataKey")).isEqualTo(3);
        assertThat(server.requestCount("GenerateDataKey", key)).isEqualTo(3);
    }

    @Test
    void throttleNextOne_withoutRetries_throwsThrottlingOnce() {
        server.throttleNext(1);

        assertThatThrownBy(() -> generate(key, CONTEXT))
                .isExactlyInstanceOf(KmsException.class)
                .satisfies(e -> {
                    KmsException kmsError = (KmsException) e;
                    assertThat(kmsError.isThrottlingException()).isTrue();
                    assertThat(kmsError.statusCode()).isEqualTo(400);
                    assertThat(kmsError.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                    assertThat(kmsError.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
                });
        assertThat(server.requestCount("GenerateDataKey")).isEqualTo(1);
        assertThat(generate(key, CONTEXT).keyId()).isEqualTo(key);
    }

    @Test
    void failNextOne_withoutRetries_throwsKmsInternal() {
        server.failNext(1);

        assertKmsError(
                () -> kms.describeKey(r -> r.keyId(key)),
                KmsInternalException.class,
                500,
                "KMSInternalException",
                "Injected internal failure");
        assertThat(kms.describeKey(r -> r.keyId(key)).keyMetadata().arn()).isEqualTo(key);
    }

    @Test
    void failNextOne_withTwoAttempts_succeedsOnRetry() {
        server.failNext(1);

        try (KmsClient retrying = server.newClient(2)) {
            assertThat(retrying.describeKey(r -> r.keyId(key)).keyMetadata().arn())
                    .isEqualTo(key);
        }
        assertThat(server.requestCount("DescribeKey")).isEqualTo(2);
    }

    @Test
    void delayEachRequest_set_delaysEveryAnswer() {
        server.delayEachRequest(Duration.ofMillis(200));

        long start = System.nanoTime();
        kms.describeKey(r -> r.keyId(key));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        server.delayEachRequest(Duration.ZERO);
    }

    @Test
    void encrypt_thenDecrypt_roundTripsThePlaintext() {
        SdkBytes plaintext = SdkBytes.fromUtf8String("123-45-6789");

        EncryptResponse encrypted =
                kms.encrypt(r -> r.keyId(key).plaintext(plaintext).encryptionContext(CONTEXT));
        DecryptResponse decrypted = decrypt(encrypted.ciphertextBlob(), CONTEXT);

        assertThat(encrypted.keyId()).isEqualTo(key);
        assertThat(encrypted.encryptionAlgorithm()).isEqualTo(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT);
        assertThat(encrypted.ciphertextBlob().asString(StandardCharsets.ISO_8859_1))
                .doesNotContain("123-45-6789");
        assertThat(decrypted.plaintext()).isEqualTo(plaintext);
    }

    @Test
    void reEncrypt_toAnotherKey_decryptsUnderTheDestinationOnly() {
        String destination = server.createKey();
        Map<String, String> destinationContext = Map.of("table", "person", "version", "2");
        GenerateDataKeyResponse generated = generate(key, CONTEXT);

        ReEncryptResponse moved = kms.reEncrypt(r -> r.ciphertextBlob(generated.ciphertextBlob())
                .sourceEncryptionContext(CONTEXT)
                .destinationKeyId(destination)
                .destinationEncryptionContext(destinationContext));

        assertThat(moved.sourceKeyId()).isEqualTo(key);
        assertThat(moved.keyId()).isEqualTo(destination);
        assertThat(moved.sourceEncryptionAlgorithm()).isEqualTo(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT);
        assertThat(moved.destinationEncryptionAlgorithm()).isEqualTo(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT);
        DecryptResponse decrypted = decrypt(moved.ciphertextBlob(), destinationContext);
        assertThat(decrypted.keyId()).isEqualTo(destination);
        assertThat(decrypted.plaintext()).isEqualTo(generated.plaintext());
        assertKmsError(
                () -> kms.decrypt(r -> r.ciphertextBlob(moved.ciphertextBlob())
                        .encryptionContext(destinationContext)
                        .keyId(key)),
                IncorrectKeyException.class,
                400,
                "IncorrectKeyException",
                "does not identify a KMS key");
        assertKmsError(
                () -> decrypt(moved.ciphertextBlob(), CONTEXT),
                InvalidCiphertextException.class,
                400,
                "InvalidCiphertextException",
                "ciphertext is invalid");
    }

    @Test
    void reEncrypt_withWrongSourceContextOrSourceKey_throws() {
        String destination = server.createKey();
        SdkBytes blob = generate(key, CONTEXT).ciphertextBlob();

        assertKmsError(
                () -> kms.reEncrypt(r -> r.ciphertextBlob(blob).destinationKeyId(destination)),
                InvalidCiphertextException.class,
                400,
                "InvalidCiphertextException",
                "ciphertext is invalid");
        assertKmsError(
                () -> kms.reEncrypt(r -> r.ciphertextBlob(blob)
                        .sourceEncryptionContext(CONTEXT)
                        .sourceKeyId(destination)
                        .destinationKeyId(destination)),
                IncorrectKeyException.class,
                400,
                "IncorrectKeyException",
                "does not identify a KMS key");
    }

    @Test
    void reEncrypt_toDisabledDestination_throwsDisabled() {
        String destination = server.createKey();
        SdkBytes blob = generate(key, CONTEXT).ciphertextBlob();
        server.disableKey(destination);

        assertKmsError(
                () -> kms.reEncrypt(r ->
                        r.ciphertextBlob(blob).sourceEncryptionContext(CONTEXT).destinationKeyId(destination)),
                DisabledException.class,
                400,
                "DisabledException",
                destination + " is disabled.");
    }

    @Test
    void answerWithKeyArn_set_changesTheReportedKeyIdUntilReset() {
        String liar = ARN_PREFIX + "11111111-1111-1111-1111-111111111111";
        String destination = server.createKey();
        server.answerWithKeyArn(liar);

        GenerateDataKeyResponse generated = generate(key, CONTEXT);
        DecryptResponse decrypted = decrypt(generated.ciphertextBlob(), CONTEXT);
        ReEncryptResponse moved = kms.reEncrypt(r -> r.ciphertextBlob(generated.ciphertextBlob())
                .sourceEncryptionContext(CONTEXT)
                .destinationKeyId(destination));

        assertThat(generated.keyId()).isEqualTo(liar);
        assertThat(decrypted.keyId()).isEqualTo(liar);
        assertThat(moved.keyId()).isEqualTo(liar);
        assertThat(moved.sourceKeyId()).isEqualTo(key);
        server.answerWithKeyArn(null);
        assertThat(decrypt(generated.ciphertextBlob(), CONTEXT).keyId()).isEqualTo(key);
    }

    @Test
    void requestCount_perOperationAndKey_countsEveryRequestIncludingErrors() {
        String other = server.createKey();
        SdkBytes blob = generate(key, CONTEXT).ciphertextBlob();
        decrypt(blob, CONTEXT);
        assertKmsError(
                () -> decrypt(blob, Map.of()),
                InvalidCiphertextException.class,
                400,
                "InvalidCiphertextException",
                "ciphertext is invalid");
        kms.describeKey(r -> r.keyId(other));
        kms.reEncrypt(
                r -> r.ciphertextBlob(blob).sourceEncryptionContext(CONTEXT).destinationKeyId(other));

        assertThat(server.requestCount("GenerateDataKey")).isEqualTo(1);
        assertThat(server.requestCount("Decrypt")).isEqualTo(2);
        assertThat(server.requestCount("Decrypt", key)).isEqualTo(2);
        assertThat(server.requestCount("Decrypt", other)).isZero();
        assertThat(server.requestCount("DescribeKey", other)).isEqualTo(1);
        assertThat(server.requestCount("ReEncrypt", key)).isEqualTo(1);
        assertThat(server.requestCount("ReEncrypt", other)).isEqualTo(1);
        assertThat(server.requestCount("Encrypt")).isZero();
        assertThat(server.totalRequests()).isEqualTo(5);

        server.resetCounts();

        assertThat(server.requestCount("Decrypt")).isZero();
        assertThat(server.requestCount("Decrypt", key)).isZero();
        assertThat(server.totalRequests()).isZero();
    }

    @Test
    void unsupportedOperation_anyCall_throwsUnsupportedOperation() {
        assertKmsError(
                () -> kms.listKeys(),
                UnsupportedOperationException.class,
                400,
                "UnsupportedOperationException",
                "does not support 'TrentService.ListKeys'");
        assertThat(server.requestCount("ListKeys")).isEqualTo(1);
    }

    @Test
    void concurrentClients_manyRoundTrips_allSucceedAndAreCounted() throws Exception {
        int threads = 8;
        int roundTrips = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < roundTrips; i++) {
                        GenerateDataKeyResponse generated = generate(key, CONTEXT);
                        if (!decrypt(generated.ciphertextBlob(), CONTEXT)
                                .plaintext()
                                .equals(generated.plaintext())) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.requestCount("GenerateDataKey", key)).isEqualTo(threads * roundTrips);
        assertThat(server.requestCount("Decrypt", key)).isEqualTo(threads * roundTrips);
    }

    @Test
    void close_thenCall_failsToConnect() {
        server.close();

        assertThatThrownBy(() -> kms.describeKey(r -> r.keyId(key)))
                .isInstanceOf(SdkClientException.class)
                .hasMessageContaining("Unable to execute HTTP request");
    }

    private GenerateDataKeyResponse generate(String keyId, Map<String, String> context) {
        return kms.generateDataKey(
                r -> r.keyId(keyId).keySpec(DataKeySpec.AES_256).encryptionContext(context));
    }

    private DecryptResponse decrypt(SdkBytes blob, Map<String, String> context) {
        return kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(context));
    }

    private static void assertKmsError(
            ThrowingCallable call, Class<? extends KmsException> type, int status, String code, String messagePart) {
        assertThatThrownBy(call).isExactlyInstanceOf(type).satisfies(e -> {
            KmsException error = (KmsException) e;
            assertThat(error.statusCode()).isEqualTo(status);
            assertThat(error.awsErrorDetails().errorCode()).isEqualTo(code);
            assertThat(error.awsErrorDetails().errorMessage()).contains(messagePart);
        });
    }
}
