package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.internal.store.Json;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.metamodel.mapping.BasicEntityIdentifierMapping;
import org.hibernate.persister.entity.EntityPersister;

/**
 * The canonical text of an entity id, bound into the associated data of every encrypted value of its row. It must
 * be the same in every process and version, so it is spelled out here rather than left to {@code toString()}:
 *
 * <ul>
 *   <li>a single-column id: the id's text ({@code 42}, {@code 3f2504e0-4f89-11d3-9a0c-0305e82c3301}, or the string
 *       itself);</li>
 *   <li>a composite id ({@code @EmbeddedId}, {@code @IdClass}): a JSON array of its column values in the mapping's
 *       column order, strings quoted and numbers and booleans bare, e.g. {@code ["clinic-7",1024]}.</li>
 * </ul>
 */
final class CanonicalId {

    private CanonicalId() {
    }

    static String of(EntityPersister persister, Object id, SharedSessionContractImplementor session) {
        if (persister.getIdentifierMapping() instanceof BasicEntityIdentifierMapping) {
            return String.valueOf(id);
        }
        List<Object> parts = new ArrayList<>();
        persister.getIdentifierMapping().breakDownJdbcValues(id, (index, value, mapping) -> parts.add(value), session);
        return json(parts);
    }

    /**
     * @param keyValues the values of the key columns as JDBC returns them, in the id's column order
     * @param composite whether the id is composite
     * @return the canonical id
     */
    static String ofKeyColumns(List<Object> keyValues, boolean composite) {
        return composite ? json(keyValues) : String.valueOf(keyValues.get(0));
    }

    private static String json(List<Object> parts) {
        StringBuilder json = new StringBuilder("[");
        for (Object part : parts) {
            if (json.length() > 1) {
                json.append(',');
            }
            if (part == null || part instanceof Number || part instanceof Boolean) {
                json.append(part);
            } else {
                Json.quote(json, part.toString());
            }
        }
        return json.append(']').toString();
    }
}
