package io.fieldcrypt;

import java.util.List;

/**
 * The outcome of {@link DataKeyAdmin#rewrap}.
 *
 * @param rewrapped keys now wrapped under the current master key that were not before
 * @param alreadyCurrent keys that were already under the current master key (or were rewrapped by a concurrent run)
 * @param failedIds the keys the key provider could not rewrap; they stay readable under their old master key
 */
public record RewrapReport(int rewrapped, int alreadyCurrent, List<Long> failedIds) {

    /**
     * @throws NullPointerException if {@code failedIds} is null
     */
    public RewrapReport {
        failedIds = List.copyOf(failedIds);
    }

    /** @return how many keys failed: the size of {@link #failedIds()} */
    public int failed() {
        return failedIds.size();
    }
}
