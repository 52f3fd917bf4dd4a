package io.fieldcrypt.spi;

/**
 * Told of every call fieldcrypt makes to its {@link KeyProvider} that reaches the master key (making, unwrapping and
 * rewrapping data keys), after it returned or failed: for metrics and health checks. Called on the thread that made
 * the call; it must be fast and must not throw (what it throws is logged and ignored, never the call's outcome).
 */
@FunctionalInterface
public interface KeyProviderListener {

    /** @param call what was called, how long it took and how it ended */
    void called(KeyProviderCall call);
}
