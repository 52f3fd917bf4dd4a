package io.fieldcrypt.spring.boot.internal;

import io.fieldcrypt.hibernate.FieldCrypt;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * fieldcrypt's health: DOWN while the last call to the key provider failed (until one succeeds) or while the data key
 * table cannot be read; UP otherwise. A probe reads the data key table (at most one row) and never calls the key
 * provider. Details name the last call's operation, outcome and time, never a key or a key id.
 */
public final class FieldCryptHealthIndicator implements HealthIndicator {

    private final FieldCrypt fieldCrypt;
    private final KeyProviderCalls calls;

    public FieldCryptHealthIndicator(FieldCrypt fieldCrypt, KeyProviderCalls calls) {
        this.fieldCrypt = fieldCrypt;
        this.calls = calls;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        try {
            fieldCrypt.checkDataKeyTable();
            health.withDetail("dataKeyTable", "reachable");
        } catch (RuntimeException e) {
            health.down()
                    .withDetail("dataKeyTable", "unreachable (" + e.getClass().getSimpleName() + ")");
        }
        KeyProviderCalls.Last last = calls.last();
        if (last == null) {
            health.withDetail("keyProvider", "no call yet");
        } else {
            health.withDetail(
                    "keyProvider",
                    java.util.Map.of(
                            "lastCall", last.call().operation(),
                            "outcome", last.call().outcome(),
                            "at", last.at().toString()));
            if (!last.call().succeeded()) {
                health.down();
            }
        }
        return health.build();
    }
}
