package io.fieldcrypt.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.protocols.jsoncore.JsonWriter;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A fake AWS KMS for tests that speaks the real wire protocol (AWS JSON 1.1, {@code X-Amz-Target:
 * TrentService.<Operation>}) over plain HTTP on {@code 127.0.0.1}, so the real {@link KmsClient} talks to it
 * unchanged.
 *
 * <p>It emulates KMS semantics rather than scripting answers: keys hold random AES-256 material, ciphertext blobs are
 * real AES-256-GCM bound to the encryption context, and {@code GenerateDataKey}, {@code Encrypt}, {@code Decrypt},
 * {@code ReEncrypt} and {@code DescribeKey} answer with the members and errors KMS uses. Tests can also create keys of
 * other types, disable keys or schedule their deletion, deny access, inject throttling, internal failures and latency,
 * make the server misreport key ids, and count the requests it received. Every other operation answers
 * {@code UnsupportedOperationException}.
 *
 * <p>Blob layout: one format byte, the 36-byte ASCII key uuid, a 12-byte nonce, then ciphertext and 16-byte tag; the
 * GCM associated data is the encryption context sorted by key, each key and value as a 4-byte length and UTF-8 bytes.
 *
 * <p>Use it in a test like this; the key ARN goes where a real KMS key id would, and the client is handed to
 * {@code KeyProviders.awsKms(client)} or the {@code fieldcrypt.kms.client} setting:
 * <pre>{@code
 * try (KmsWireServer kms = KmsWireServer.start(); KmsClient client = kms.newClient()) {
 *     String keyArn = kms.createKey();
 *     // ... build fieldcrypt with client and keyArn, run the code under test ...
 *     assertThat(kms.requestCount("GenerateDataKey")).isEqualTo(1);
 * }
 * }</pre>
 * {@link #newClient()} never retries, so a fault injected with {@link #throttleNext(int)} or {@link #failNext(int)}
 * reaches the caller; {@link #newClient(int)} retries quickly with the SDK's standard strategy. To point a client of
 * your own at the server, use {@link #endpoint()} as its {@code endpointOverride}, any region and any static
 * credentials.
 *
 * <p>Thread-safe. Key material is never logged nor exposed except as data keys returned to clients.
 */
public final class KmsWireServer implements AutoCloseable {

    private static final String ACCOUNT = "111122223333";
    private static final String ARN_PREFIX = "arn:aws:kms:us-east-1:" + ACCOUNT + ":";
    private static final String KEY_ARN_PREFIX = ARN_PREFIX + "key/";
    private static final String ALIAS_PREFIX = "alias/";
    private static final String ALIAS_ARN_PREFIX = ARN_PREFIX + ALIAS_PREFIX;
    private static final String TARGET_PREFIX = "TrentService.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final String ALGORITHM = "SYMMETRIC_DEFAULT";
    private static final String SYMMETRIC_KEY_SPEC = "SYMMETRIC_DEFAULT";
    private static final String ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT";
    private static final String ENABLED = "Enabled";
    private static final String DISABLED = "Disabled";
    private static final String PENDING_DELETION = "PendingDeletion";
    private static final Duration DELETION_WAITING_PERIOD = Duration.ofDays(30);

    private static final byte BLOB_FORMAT = 1;
    private static final int UUID_LENGTH = 36;
    private static final int NONCE_LENGTH = 12;
    private static final int TAG_BITS = 128;
    private static final int HEADER_LENGTH = 1 + UUID_LENGTH + NONCE_LENGTH;
    private static final int MIN_BLOB_LENGTH = HEADER_LENGTH + TAG_BITS / 8;
    private static final int MAX_PLAINTEXT_LENGTH = 4096;
    private static final int MAX_DATA_KEY_LENGTH = 1024;

    private static final int THREADS = 4;
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(10);

    private final HttpServer server;
    private final ExecutorService executor;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Key> keysById = new ConcurrentHashMap<>();
    private final Map<String, Key> keysByAlias = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> countsByOperation = new ConcurrentHashMap<>();
    private final Map<OperationOnKey, AtomicInteger> countsByOperationAndKey = new ConcurrentHashMap<>();
    private final AtomicInteger totalCount = new AtomicInteger();
    private final AtomicInteger throttleBudget = new AtomicInteger();
    private final AtomicInteger failureBudget = new AtomicInteger();
    private volatile Duration delay = Duration.ZERO;
    private volatile String reportedKeyArn;

    private KmsWireServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts a server on {@code 127.0.0.1} on a free port. Unless already set, it sets the system property
     * {@code sun.net.httpserver.nodelay=true} so answers are not held back by Nagle's algorithm; that works if no JDK
     * HTTP server was created before in this JVM.
     *
     * @return the running server, with no keys yet
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static KmsWireServer start() {
        // The JDK server flushes response headers before the body; with Nagle's algorithm on, the client's delayed ACK
        // then adds about 40 ms to every answer. The JDK reads this property once, when its first server is created.
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, task -> {
            Thread thread = new Thread(task, "kms-wire-server-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            KmsWireServer kms = new KmsWireServer(http, executor);
            http.createContext("/", kms::handle);
            http.setExecutor(executor);
            http.start();
            return kms;
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("Cannot start the KMS wire server", e);
        }
    }

    /**
     * The base URI to pass to {@code endpointOverride}.
     *
     * @return {@code http://127.0.0.1:PORT}
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Creates an enabled symmetric key with fresh random AES-256 material.
     *
     * @return the key's ARN, {@code arn:aws:kms:us-east-1:111122223333:key/<uuid>}
     */
    public String createKey() {
        return createKey(SYMMETRIC_KEY_SPEC, ENCRYPT_DECRYPT);
    }

    /**
     * Creates an enabled key of any type, as {@code CreateKey} with {@code KeySpec} and {@code KeyUsage} does.
     * {@code DescribeKey} reports both; every cryptographic operation on a key that is not {@code SYMMETRIC_DEFAULT}
     * for {@code ENCRYPT_DECRYPT} answers {@code InvalidKeyUsageException}, since this server only emulates symmetric
     * encryption.
     *
     * @param keySpec the key spec, such as {@code "RSA_2048"} or {@code "HMAC_256"}
     * @param keyUsage the key usage, such as {@code "SIGN_VERIFY"} or {@code "ENCRYPT_DECRYPT"}
     * @return the key's ARN, {@code arn:aws:kms:us-east-1:111122223333:key/<uuid>}
     */
    public String createKey(String keySpec, String keyUsage) {
        byte[] material = new byte[32];
        random.nextBytes(material);
        Key key = new Key(
                UUID.randomUUID().toString(),
                new SecretKeySpec(material, "AES"),
                Instant.now(),
                Objects.requireNonNull(keySpec, "keySpec"),
                Objects.requireNonNull(keyUsage, "keyUsage"));
        keysById.put(key.id, key);
        return key.arn;
    }

    /**
     * Points an alias at a key; requests may then name the key as {@code alias/<name>} or as the alias ARN
     * {@code arn:aws:kms:us-east-1:111122223333:alias/<name>}.
     *
     * @param aliasName the alias, starting with {@code alias/}
     * @param keyArn the key's ARN (its uuid or another alias works too)
     * @throws IllegalArgumentException if the name is malformed or taken, or the key does not exist
     */
    public void createAlias(String aliasName, String keyArn) {
        if (!aliasName.startsWith(ALIAS_PREFIX) || aliasName.length() == ALIAS_PREFIX.length()) {
            throw new IllegalArgumentException("Alias names start with 'alias/': " + aliasName);
        }
        if (keysByAlias.putIfAbsent(aliasName, requireKey(keyArn)) != null) {
            throw new IllegalArgumentException("Alias already exists: " + aliasName);
        }
    }

    /**
     * Points an existing alias at another key, as {@code UpdateAlias} does; requests naming the alias use that key from
     * then on.
     *
     * @param aliasName the alias, starting with {@code alias/}
     * @param keyArn the key's ARN (its uuid or another alias works too)
     * @throws IllegalArgumentException if the alias or the key does not exist
     */
    public void updateAlias(String aliasName, String keyArn) {
        Key key = requireKey(keyArn);
        if (keysByAlias.replace(aliasName, key) == null) {
            throw new IllegalArgumentException("No such alias: " + aliasName);
        }
    }

    /**
     * Disables a key: cryptographic operations on it answer {@code DisabledException}; {@code DescribeKey} still works
     * and reports the state {@code Disabled}.
     *
     * @param keyArn the key's ARN (or uuid or alias)
     * @throws IllegalStateException if the key is pending deletion, as KMS refuses it
     */
    public void disableKey(String keyArn) {
        requireNotPendingDeletion(requireKey(keyArn)).state = DISABLED;
    }

    /**
     * Re-enables a key disabled with {@link #disableKey(String)}.
     *
     * @param keyArn the key's ARN (or uuid or alias)
     * @throws IllegalStateException if the key is pending deletion, as KMS refuses it
     */
    public void enableKey(String keyArn) {
        requireNotPendingDeletion(requireKey(keyArn)).state = ENABLED;
    }

    /**
     * Schedules a key's deletion, as {@code ScheduleKeyDeletion} does: cryptographic operations on it answer
     * {@code KMSInvalidStateException}; {@code DescribeKey} still works and reports the state {@code PendingDeletion}
     * and a deletion date 30 days ahead. The key is never actually deleted.
     *
     * @param keyArn the key's ARN (or uuid or alias)
     */
    public void scheduleKeyDeletion(String keyArn) {
        Key key = requireKey(keyArn);
        key.deletionDate = Instant.now().plus(DELETION_WAITING_PERIOD);
        key.state = PENDING_DELETION;
    }

    /**
     * Cancels a deletion scheduled with {@link #scheduleKeyDeletion(String)}; as in KMS, the key is then
     * {@code Disabled}.
     *
     * @param keyArn the key's ARN (or uuid or alias)
     * @throws IllegalStateException if the key is not pending deletion
     */
    public void cancelKeyDeletion(String keyArn) {
        Key key = requireKey(keyArn);
        if (!PENDING_DELETION.equals(key.state)) {
            throw new IllegalStateException("Key is not pending deletion: " + key.arn);
        }
        key.state = DISABLED;
        key.deletionDate = null;
    }

    /**
     * Denies the caller access to a key: every operation that touches it (by key id, source or destination key id, or
     * the key inside a ciphertext blob) answers 400 {@code AccessDeniedException}, which is not a modelled KMS error,
     * so the client throws a plain {@code KmsException}.
     *
     * @param keyArn the key's ARN (or uuid or alias)
     */
    public void denyAccess(String keyArn) {
        requireKey(keyArn).denied = true;
    }

    /**
     * Lifts {@link #denyAccess(String)}.
     *
     * @param keyArn the key's ARN (or uuid or alias)
     */
    public void allowAccess(String keyArn) {
        requireKey(keyArn).denied = false;
    }

    /**
     * Makes the next requests, whatever their operation, answer 400
     * {@code {"__type":"ThrottlingException","message":"Rate exceeded"}}.
     *
     * @param requests how many requests to throttle; replaces any budget left
     */
    public void throttleNext(int requests) {
        throttleBudget.set(requireNotNegative(requests));
    }

    /**
     * Makes the next requests, whatever their operation, answer 500 {@code KMSInternalException}. Throttling
     * injected by {@link #throttleNext(int)} is applied first.
     *
     * @param requests how many requests to fail; replaces any budget left
     */
    public void failNext(int requests) {
        failureBudget.set(requireNotNegative(requests));
    }

    /**
     * Sleeps before answering every request, injected failures included.
     *
     * @param delay the latency to add; {@link Duration#ZERO} turns it off
     */
    public void delayEachRequest(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("Negative delay: " + delay);
        }
        this.delay = delay;
    }

    /**
     * Makes the server misbehave by reporting this ARN as {@code KeyId} in {@code GenerateDataKey}, {@code Decrypt}
     * and {@code ReEncrypt} responses, whatever key it really used.
     *
     * @param arnOrNull the ARN to report, or {@code null} to report the truth again
     */
    public void answerWithKeyArn(String arnOrNull) {
        this.reportedKeyArn = arnOrNull;
    }

    /**
     * Counts the HTTP requests received for an operation: every attempt, retries and error answers included.
     *
     * @param operation the operation name, such as {@code "GenerateDataKey"} or {@code "Decrypt"}
     * @return the number of requests since the start or the last {@link #resetCounts()}
     */
    public int requestCount(String operation) {
        return valueOf(countsByOperation.get(operation));
    }

    /**
     * Counts the HTTP requests received for an operation that touched a key, through {@code KeyId},
     * {@code SourceKeyId}, {@code DestinationKeyId} or the key inside {@code CiphertextBlob}: every attempt, retries
     * and error answers included.
     *
     * @param operation the operation name, such as {@code "Decrypt"}
     * @param keyArn the key's ARN (or uuid or alias)
     * @return the number of such requests since the start or the last {@link #resetCounts()}
     */
    public int requestCount(String operation, String keyArn) {
        return valueOf(countsByOperationAndKey.get(new OperationOnKey(operation, requireKey(keyArn).id)));
    }

    /**
     * Counts all HTTP requests received, whatever their operation or outcome.
     *
     * @return the number of requests since the start or the last {@link #resetCounts()}
     */
    public int totalRequests() {
        return totalCount.get();
    }

    /** Sets all request counts back to zero; call it while no request is in flight. */
    public void resetCounts() {
        countsByOperation.clear();
        countsByOperationAndKey.clear();
        totalCount.set(0);
    }

    /**
     * Builds a real {@link KmsClient} for this server that never retries. The caller closes it.
     *
     * @return a client for {@code us-east-1} with static credentials {@code test}/{@code test}
     */
    public KmsClient newClient() {
        return client(AwsRetryStrategy.doNotRetry());
    }

    /**
     * Builds a real {@link KmsClient} for this server with the SDK's standard retry strategy, limited to
     * {@code maxAttempts} attempts, with a fixed 10 ms backoff (also after throttling) and no retry circuit breaker, so
     * retries are deterministic and fast. The caller closes it.
     *
     * @param maxAttempts the attempts per call, first one included; at least 1
     * @return a client for {@code us-east-1} with static credentials {@code test}/{@code test}
     */
    public KmsClient newClient(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        BackoffStrategy backoff = BackoffStrategy.fixedDelayWithoutJitter(RETRY_BACKOFF);
        return client(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(maxAttempts)
                .backoffStrategy(backoff)
                .throttlingBackoffStrategy(backoff)
                .circuitBreakerEnabled(false)
                .build());
    }

    /** Stops the server at once and its threads; clients built by {@link #newClient()} stay open. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private KmsClient client(RetryStrategy retryStrategy) {
        return KmsClient.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(o -> o.retryStrategy(retryStrategy))
                .build();
    }

    // ---- request handling ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Reply reply;
            try {
                reply = answer(exchange);
            } catch (KmsError e) {
                reply = e.reply();
            } catch (RuntimeException e) {
                reply = new KmsError(
                                500,
                                "KMSInternalException",
                                "Fake KMS failed: " + e.getClass().getName())
                        .reply();
            }
            byte[] body = reply.body().getBytes(UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.getResponseHeaders()
                    .set("x-amzn-RequestId", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(reply.status(), body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private Reply answer(HttpExchange exchange) throws IOException {
        String target = Objects.requireNonNullElse(exchange.getRequestHeaders().getFirst("X-Amz-Target"), "");
        String operation = target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : target;
        JsonNode request = parseObject(exchange.getRequestBody().readAllBytes());
        count(operation, request == null ? Set.of() : touchedKeys(request));
        pause();
        if (takeOne(throttleBudget)) {
            throw new KmsError(400, "ThrottlingException", "Rate exceeded");
        }
        if (takeOne(failureBudget)) {
            throw new KmsError(500, "KMSInternalException", "Injected internal failure");
        }
        if (request == null) {
            throw new KmsError(400, "SerializationException", "The request body is not a JSON object");
        }
        Call call = new Call(operation, request);
        return switch (operation) {
            case "GenerateDataKey" -> generateDataKey(call);
            case "Encrypt" -> encrypt(call);
            case "Decrypt" -> decrypt(call);
            case "ReEncrypt" -> reEncrypt(call);
            case "DescribeKey" -> describeKey(call);
            default ->
                throw new KmsError(
                        400, "UnsupportedOperationException", "This fake KMS does not support '" + target + "'");
        };
    }

    private Reply generateDataKey(Call call) {
        Key key = usableKey(call, requiredKey(call, "KeyId"));
        byte[] dataKey = new byte[dataKeyLength(call)];
        random.nextBytes(dataKey);
        byte[] blob = seal(key, dataKey, context(call, "EncryptionContext"));
        return ok(new JsonObject()
                .string("CiphertextBlob", base64(blob))
                .string("Plaintext", base64(dataKey))
                .string("KeyId", reported(key)));
    }

    private Reply encrypt(Call call) {
        Key key = usableKey(call, requiredKey(call, "KeyId"));
        byte[] plaintext = blob(call, "Plaintext");
        if (plaintext.length == 0 || plaintext.length > MAX_PLAINTEXT_LENGTH) {
            throw validation("Plaintext must hold 1 to " + MAX_PLAINTEXT_LENGTH + " bytes");
        }
        byte[] blob = seal(key, plaintext, context(call, "EncryptionContext"));
        return ok(new JsonObject()
                .string("CiphertextBlob", base64(blob))
                .string("KeyId", key.arn)
                .string("EncryptionAlgorithm", ALGORITHM));
    }

    private Reply decrypt(Call call) {
        Opened opened = open(call, "KeyId", "EncryptionContext");
        return ok(new JsonObject()
                .string("KeyId", reported(opened.key()))
                .string("Plaintext", base64(opened.plaintext()))
                .string("EncryptionAlgorithm", ALGORITHM));
    }

    private Reply reEncrypt(Call call) {
        Key destination = requiredKey(call, "DestinationKeyId");
        Opened source = open(call, "SourceKeyId", "SourceEncryptionContext");
        usableKey(call, destination);
        byte[] blob = seal(destination, source.plaintext(), context(call, "DestinationEncryptionContext"));
        return ok(new JsonObject()
                .string("CiphertextBlob", base64(blob))
                .string("SourceKeyId", source.key().arn)
                .string("KeyId", reported(destination))
                .string("SourceEncryptionAlgorithm", ALGORITHM)
                .string("DestinationEncryptionAlgorithm", ALGORITHM));
    }

    private Reply describeKey(Call call) {
        Key key = requiredKey(call, "KeyId");
        checkAccess(call, key);
        String state = key.state;
        Instant deletionDate = key.deletionDate;
        JsonObject metadata = new JsonObject()
                .string("AWSAccountId", ACCOUNT)
                .string("KeyId", key.id)
                .string("Arn", key.arn)
                .number("CreationDate", key.creationDate.getEpochSecond())
                .bool("Enabled", ENABLED.equals(state))
                .string("KeyState", state);
        if (PENDING_DELETION.equals(state) && deletionDate != null) {
            metadata.number("DeletionDate", deletionDate.getEpochSecond());
        }
        return ok(new JsonObject()
                .object(
                        "KeyMetadata",
                        metadata.string("KeyUsage", key.keyUsage)
                                .string("KeySpec", key.keySpec)
                                .string("Origin", "AWS_KMS")
                                .string("KeyManager", "CUSTOMER")));
    }

    /** Decrypts {@code CiphertextBlob}, checking the optionally named key against the blob's, as Decrypt does. */
    private Opened open(Call call, String keyIdField, String contextField) {
        Optional<Key> named = text(call.request(), keyIdField).map(id -> find(id).orElseThrow(() -> notFound(id)));
        byte[] blob = blob(call, "CiphertextBlob");
        Key key = blobKey(blob).orElseThrow(KmsWireServer::invalidCiphertext);
        named.ifPresent(namedKey -> checkAccess(call, namedKey));
        if (named.isPresent() && named.get() != key) {
            throw new KmsError(
                    400,
                    "IncorrectKeyException",
                    "The key ID in the request does not identify a KMS key that can perform this operation.");
        }
        usableKey(call, key);
        return new Opened(key, unseal(key, blob, context(call, contextField)));
    }

    // ---- keys ----

    private Key requiredKey(Call call, String field) {
        String id = text(call.request(), field).orElseThrow(() -> validation(field + " must not be null"));
        return find(id).orElseThrow(() -> notFound(id));
    }

    private Key usableKey(Call call, Key key) {
        checkAccess(call, key);
        String state = key.state;
        if (DISABLED.equals(state)) {
            throw new KmsError(400, "DisabledException", key.arn + " is disabled.");
        }
        if (PENDING_DELETION.equals(state)) {
            throw new KmsError(400, "KMSInvalidStateException", key.arn + " is pending deletion.");
        }
        if (!SYMMETRIC_KEY_SPEC.equals(key.keySpec) || !ENCRYPT_DECRYPT.equals(key.keyUsage)) {
            throw new KmsError(
                    400,
                    "InvalidKeyUsageException",
                    key.arn + " key usage is " + key.keyUsage + " and key spec is " + key.keySpec
                            + ", which is not valid for " + call.operation() + ".");
        }
        return key;
    }

    private static Key requireNotPendingDeletion(Key key) {
        if (PENDING_DELETION.equals(key.state)) {
            throw new IllegalStateException("Key is pending deletion; cancel its deletion first: " + key.arn);
        }
        return key;
    }

    private static void checkAccess(Call call, Key key) {
        if (key.denied) {
            throw new KmsError(
                    400,
                    "AccessDeniedException",
                    "User: arn:aws:iam::" + ACCOUNT + ":user/test is not authorized to perform: kms:" + call.operation()
                            + " on resource: " + key.arn);
        }
    }

    private Optional<Key> find(String id) {
        if (id.startsWith(ALIAS_ARN_PREFIX)) {
            return Optional.ofNullable(keysByAlias.get(ALIAS_PREFIX + id.substring(ALIAS_ARN_PREFIX.length())));
        }
        if (id.startsWith(ALIAS_PREFIX)) {
            return Optional.ofNullable(keysByAlias.get(id));
        }
        String uuid = id.startsWith(KEY_ARN_PREFIX) ? id.substring(KEY_ARN_PREFIX.length()) : id;
        return Optional.ofNullable(keysById.get(uuid));
    }

    private Key requireKey(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("No such key: " + id));
    }

    private String reported(Key key) {
        return Objects.requireNonNullElse(reportedKeyArn, key.arn);
    }

    private static KmsError notFound(String id) {
        return new KmsError(
                400,
                "NotFoundException",
                id.startsWith(ALIAS_PREFIX) || id.startsWith(ALIAS_ARN_PREFIX)
                        ? "Alias " + id + " is not found."
                        : "Key '" + id + "' does not exist");
    }

    // ---- ciphertext blobs ----

    private byte[] seal(Key key, byte[] plaintext, SortedMap<String, String> context) {
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        try {
            Cipher cipher = gcm(Cipher.ENCRYPT_MODE, key, nonce, context);
            return ByteBuffer.allocate(HEADER_LENGTH + cipher.getOutputSize(plaintext.length))
                    .put(BLOB_FORMAT)
                    .put(key.id.getBytes(US_ASCII))
                    .put(nonce)
                    .put(cipher.doFinal(plaintext))
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    private byte[] unseal(Key key, byte[] blob, SortedMap<String, String> context) {
        byte[] nonce = Arrays.copyOfRange(blob, 1 + UUID_LENGTH, HEADER_LENGTH);
        try {
            return gcm(Cipher.DECRYPT_MODE, key, nonce, context)
                    .doFinal(blob, HEADER_LENGTH, blob.length - HEADER_LENGTH);
        } catch (AEADBadTagException e) {
            throw invalidCiphertext();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    private static Cipher gcm(int mode, Key key, byte[] nonce, SortedMap<String, String> context)
            throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key.material, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(canonical(context));
        return cipher;
    }

    /** The encryption context sorted by key, every key and value as a 4-byte length and its UTF-8 bytes. */
    private static byte[] canonical(SortedMap<String, String> context) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        context.forEach((name, value) -> {
            writeLengthPrefixed(out, name.getBytes(UTF_8));
            writeLengthPrefixed(out, value.getBytes(UTF_8));
        });
        return out.toByteArray();
    }

    private static void writeLengthPrefixed(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }

    /** The key named in a blob's header, if the blob is long enough, has the known format and names a known key. */
    private Optional<Key> blobKey(byte[] blob) {
        if (blob.length < MIN_BLOB_LENGTH || blob[0] != BLOB_FORMAT) {
            return Optional.empty();
        }
        return Optional.ofNullable(keysById.get(new String(blob, 1, UUID_LENGTH, US_ASCII)));
    }

    private static KmsError invalidCiphertext() {
        return new KmsError(
                400,
                "InvalidCiphertextException",
                "The ciphertext is invalid, or its encryption context or key does not match");
    }

    // ---- request parsing ----

    private static JsonNode parseObject(byte[] body) {
        try {
            JsonNode node = JsonNode.parser().parse(body);
            return node.isObject() ? node : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Every known key a request names, leniently: unknown ids and unreadable blobs are skipped. */
    private Set<Key> touchedKeys(JsonNode request) {
        Set<Key> touched = new LinkedHashSet<>();
        for (String field : List.of("KeyId", "SourceKeyId", "DestinationKeyId")) {
            text(request, field).flatMap(this::find).ifPresent(touched::add);
        }
        text(request, "CiphertextBlob")
                .flatMap(KmsWireServer::decodeBase64)
                .flatMap(this::blobKey)
                .ifPresent(touched::add);
        return touched;
    }

    private static Optional<String> text(JsonNode request, String field) {
        return request.field(field).filter(JsonNode::isString).map(JsonNode::asString);
    }

    private static byte[] blob(Call call, String field) {
        String text = text(call.request(), field).orElseThrow(() -> validation(field + " must not be null"));
        return decodeBase64(text)
                .orElseThrow(() -> new KmsError(400, "SerializationException", field + " is not valid base64"));
    }

    private static Optional<byte[]> decodeBase64(String text) {
        try {
            return Optional.of(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static SortedMap<String, String> context(Call call, String field) {
        SortedMap<String, String> context = new TreeMap<>();
        Optional<JsonNode> node = call.request().field(field).filter(n -> !n.isNull());
        if (node.isEmpty()) {
            return context;
        }
        if (!node.get().isObject()) {
            throw new KmsError(400, "SerializationException", field + " must be a map of strings");
        }
        node.get().asObject().forEach((name, value) -> {
            if (!value.isString()) {
                throw new KmsError(400, "SerializationException", field + " must be a map of strings");
            }
            context.put(name, value.asString());
        });
        return context;
    }

    private static int dataKeyLength(Call call) {
        Optional<String> keySpec = text(call.request(), "KeySpec");
        Optional<JsonNode> numberOfBytes = call.request().field("NumberOfBytes").filter(JsonNode::isNumber);
        if (keySpec.isPresent() == numberOfBytes.isPresent()) {
            throw validation("Please specify either number of bytes or key spec.");
        }
        if (keySpec.isPresent()) {
            return switch (keySpec.get()) {
                case "AES_256" -> 32;
                case "AES_128" -> 16;
                default -> throw validation("KeySpec must be AES_256 or AES_128: " + keySpec.get());
            };
        }
        String number = numberOfBytes.get().asNumber();
        int length = number.matches("[0-9]{1,4}") ? Integer.parseInt(number) : 0;
        if (length < 1 || length > MAX_DATA_KEY_LENGTH) {
            throw validation("NumberOfBytes must be between 1 and " + MAX_DATA_KEY_LENGTH + ": " + number);
        }
        return length;
    }

    private static KmsError validation(String message) {
        return new KmsError(400, "ValidationException", message);
    }

    // ---- counting and injected behaviour ----

    private void count(String operation, Set<Key> touched) {
        totalCount.incrementAndGet();
        countsByOperation.computeIfAbsent(operation, o -> new AtomicInteger()).incrementAndGet();
        for (Key key : touched) {
            countsByOperationAndKey
                    .computeIfAbsent(new OperationOnKey(operation, key.id), k -> new AtomicInteger())
                    .incrementAndGet();
        }
    }

    private void pause() {
        Duration pause = delay;
        if (!pause.isZero()) {
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Uses one unit of a budget; true if there was one. */
    private static boolean takeOne(AtomicInteger budget) {
        return budget.getAndUpdate(left -> Math.max(0, left - 1)) > 0;
    }

    private static int valueOf(AtomicInteger counter) {
        return counter == null ? 0 : counter.get();
    }

    private static int requireNotNegative(int requests) {
        if (requests < 0) {
            throw new IllegalArgumentException("Negative request count: " + requests);
        }
        return requests;
    }

    // ---- responses ----

    private static Reply ok(JsonObject body) {
        return new Reply(200, body.toString());
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** A KMS key. Deliberately has no {@code toString}, so its material cannot end up in a log. */
    private static final class Key {
        final String id;
        final String arn;
        final SecretKey material;
        final Instant creationDate;
        final String keySpec;
        final String keyUsage;
        volatile String state = ENABLED;
        volatile Instant deletionDate;
        volatile boolean denied;

        Key(String id, SecretKey material, Instant creationDate, String keySpec, String keyUsage) {
            this.id = id;
            this.arn = KEY_ARN_PREFIX + id;
            this.material = material;
            this.creationDate = creationDate;
            this.keySpec = keySpec;
            this.keyUsage = keyUsage;
        }
    }

    private record Call(String operation, JsonNode request) {}

    private record Opened(Key key, byte[] plaintext) {}

    private record OperationOnKey(String operation, String keyId) {}

    private record Reply(int status, String body) {}

    /** A KMS error answer: HTTP status and {@code {"__type":code,"message":...}}. */
    private static final class KmsError extends RuntimeException {
        private final int status;
        private final String code;

        KmsError(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }

        Reply reply() {
            String body = new JsonObject()
                    .string("__type", code)
                    .string("message", getMessage())
                    .toString();
            return new Reply(status, body);
        }
    }

    /**
     * One JSON object of an answer, members in insertion order. The AWS SDK's own {@link JsonWriter} writes it, so
     * names and strings are escaped as the client that reads them expects.
     */
    private static final class JsonObject {
        private final Map<String, Object> members = new LinkedHashMap<>();

        JsonObject string(String name, String value) {
            return member(name, value);
        }

        JsonObject number(String name, long value) {
            return member(name, value);
        }

        JsonObject bool(String name, boolean value) {
            return member(name, value);
        }

        JsonObject object(String name, JsonObject value) {
            return member(name, value);
        }

        private JsonObject member(String name, Object value) {
            members.put(name, value);
            return this;
        }

        private void writeTo(JsonWriter writer) {
            writer.writeStartObject();
            members.forEach((name, value) -> {
                writer.writeFieldName(name);
                if (value instanceof JsonObject object) {
                    object.writeTo(writer);
                } else if (value instanceof Long number) {
                    writer.writeValue(number.longValue());
                } else if (value instanceof Boolean bool) {
                    writer.writeValue(bool.booleanValue());
                } else {
                    writer.writeValue((String) value);
                }
            });
            writer.writeEndObject();
        }

        @Override
        public String toString() {
            try (JsonWriter writer = JsonWriter.create()) {
                writeTo(writer);
                return new String(writer.getBytes(), UTF_8);
            }
        }
    }
}
