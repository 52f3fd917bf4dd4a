package io.fieldcrypt;

import java.time.Instant;

/**
 * The outcome of {@link DataKeyAdmin#rotate}.
 *
 * @param retired how many active data keys were retired (their scope keys, retired with them, are not counted)
 * @param retiredAt when, by the data key store's clock (PostgreSQL's {@code now()}); other processes stop using their
 *     current keys within their maximum age after this. {@code null} when there was no active key to retire.
 */
public record RotationReport(int retired, Instant retiredAt) {}
