/**
 * Measurements of fieldcrypt's cost, run by hand and never by {@code mvn verify}; each class says what it measures
 * and how to run it.
 */
package io.fieldcrypt.benchmarks;
