package io.fieldcrypt.spring.boot.internal;

import io.fieldcrypt.DataKeyStats;
import io.fieldcrypt.hibernate.FieldCrypt;
import io.fieldcrypt.hibernate.FieldCryptStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The read-only {@code fieldcrypt} actuator endpoint: {@link FieldCrypt#status()} (data keys by state and master key,
 * values under retired keys, plaintext left during a migration) and the key counters. It has no write operation:
 * rotation, re-encryption and destruction stay in the application's own code.
 */
@Endpoint(id = "fieldcrypt")
public final class FieldCryptEndpoint {

    private final ActiveFieldCrypt active;

    public FieldCryptEndpoint(ActiveFieldCrypt active) {
        this.active = active;
    }

    /**
     * @return the status and the counters, or {@code active: false}. Each call counts the values under retired keys
     *     (one query per encrypted column): cache the endpoint (its {@code cache.time-to-live}) if it is polled
     */
    @ReadOperation
    public Map<String, Object> status() {
        FieldCrypt fieldCrypt = active.get().orElse(null);
        if (fieldCrypt == null) {
            return Map.of("active", false);
        }
        FieldCryptStatus status = fieldCrypt.status();
        DataKeyStats stats = fieldCrypt.stats();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active", true);
        body.put("dataKeys", status.dataKeys());
        body.put("valuesUnderRetiredKeys", status.valuesUnderRetiredKeys());
        body.put("plaintextValues", status.plaintextValues());
        body.put("stats", stats);
        body.put("blindIndexLookups", fieldCrypt.blindIndexLookups());
        return body;
    }
}
