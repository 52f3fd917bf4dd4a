package io.fieldcrypt.spring.boot.internal;

import io.fieldcrypt.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns fieldcrypt's configuration errors (a wrong or missing setting, a table that does not match, a mapping that
 * cannot be encrypted) into Spring Boot's start-up failure report: fieldcrypt's message, which names the setting
 * and the fix, instead of a stack trace of bean creation.
 */
public final class FieldCryptFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
        return new FailureAnalysis(
                "fieldcrypt could not start: " + cause.getMessage(),
                "Settings are bound from fieldcrypt.* in application.properties or application.yml (the names of"
                        + " README.md, \"Settings\"; a blind index's as fieldcrypt.blind-index.Entity.handle.column)."
                        + " Change what the message names.",
                cause);
    }
}
