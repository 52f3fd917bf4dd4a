/**
 * Test fixtures for applications that use fieldcrypt, and for fieldcrypt's own tests: a real PostgreSQL with a
 * fresh schema per test class, and a fake AWS KMS that the real SDK client talks to over HTTP.
 *
 * <p>Add {@code io.fieldcrypt:fieldcrypt-testing} with {@code <scope>test</scope>}. Then
 * {@code @ExtendWith(TestPostgres.class)} on a JUnit 5 test class hands a {@link io.fieldcrypt.testing.TestDatabase}
 * to any constructor, lifecycle or test method parameter of that type: its own schema on a server chosen once per
 * run ({@code FIELDCRYPT_TEST_JDBC_URL}, else Testcontainers when Docker answers, else an embedded PostgreSQL).
 * {@link io.fieldcrypt.testing.KmsWireServer#start()} starts the fake KMS on {@code 127.0.0.1};
 * {@link io.fieldcrypt.testing.KmsWireServer#createKey()} makes a symmetric key and returns its ARN, and
 * {@link io.fieldcrypt.testing.KmsWireServer#newClient()} a real {@code KmsClient} for it, to pass to fieldcrypt as
 * you would pass your production client. The server can also disable keys, deny access, throttle, fail, slow down
 * and count requests, so tests can prove how an application behaves when KMS misbehaves.
 *
 * <p>This module does not depend on {@code fieldcrypt-core}; nothing here is meant for production code.
 */
package io.fieldcrypt.testing;
