package io.fieldcrypt.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One row of the data key table.
 *
 * @param id the id that envelopes refer to; positive
 * @param scope what the key serves, by default {@code <table>.<column>}
 * @param wrapped the key wrapped under its master key
 * @param encryptionContext the context the key is wrapped under; immutable
 * @param state whether new values may be encrypted under it
 * @param createdAt when the key was made
 * @param expiresAt the last moment the process that made it may encrypt with it, or {@code null} if not recorded
 *     (keys made before version 0.2)
 * @param retiredAt when the key was retired, or {@code null} while it is active
 */
public record StoredDataKey(
        long id,
        String scope,
        WrappedDataKey wrapped,
        Map<String, String> encryptionContext,
        DataKeyState state,
        Instant createdAt,
        Instant expiresAt,
        Instant retiredAt) {

    /**
     * @throws NullPointerException if an argument other than {@code expiresAt} and {@code retiredAt} is null
     * @throws IllegalArgumentException if {@code id} is not positive
     */
    public StoredDataKey {
        if (id <= 0) {
            throw new IllegalArgumentException("data key id must be positive, got " + id);
        }
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(wrapped, "wrapped");
        encryptionContext = Map.copyOf(encryptionContext);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
