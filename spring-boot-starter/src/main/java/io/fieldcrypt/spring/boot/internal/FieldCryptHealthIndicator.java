package io.fieldcrypt.spring.boot.internal;

import io.fieldcrypt.hibernate.FieldCrypt;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * fieldcrypt's health: DOWN while the last call to the key provider failed for a reason about the provider
 * (unreachable, throttled, the master key disabled or missing, access denied; until a call succeeds), or while the
 * data key table cannot be read; UP otherwise; UNKNOWN where fieldcrypt is not active. A failure about one data key (a
 * corrupt or foreign wrapped key) does not make the instance DOWN. A probe reads the data key table (at most one row)
 * and never calls the key provider. Details name the last call's operation, outcome and time, never a key or a key
 * id.
 */
public final class FieldCryptHealthIndicator implements HealthIndicator {

    private final ActiveFieldCrypt fieldCrypt;
    private final KeyProviderCalls calls;

    public FieldCryptHealthIndicator(ActiveFieldCrypt fieldCrypt, KeyProviderCalls calls) {
        this.fieldCrypt = fieldCrypt;
        this.calls = calls;
    }

    @Override
    public Health health() {
        FieldCrypt admin = fieldCrypt.get().orElse(null);
        if (admin == null) {
            return Health.unknown()
                    .withDetail("fieldcrypt", "not active (no @Encrypted attribute)")
                    .build();
        }
        Health.Builder health = Health.up();
        try {
            admin.checkDataKeyTable();
            health.withDetail("dataKeyTable", "reachable");
        } catch (RuntimeException e) {
            health.down()
                    .withDetail("dataKeyTable", "unreachable (" + e.getClass().getSimpleName() + ")");
        }
        KeyProviderCalls.Last last = calls.lastVerdict();
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
