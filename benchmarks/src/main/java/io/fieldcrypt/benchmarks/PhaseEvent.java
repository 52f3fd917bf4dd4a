package io.fieldcrypt.benchmarks;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * One phase of one variant of a harness run, recorded in a JFR recording when one is running, so that
 * {@code benchmarks/jfr-phases.py} can attribute the execution samples taken on the phase's thread meanwhile to it.
 * Free when no recording is running.
 */
@Name("io.fieldcrypt.benchmarks.Phase")
@Label("Benchmark phase")
@Category("fieldcrypt")
@Description("A phase (insert, read, update, re-encrypt...) of one variant of a harness run")
final class PhaseEvent extends Event {

    @Label("Variant")
    final String variant;

    @Label("Phase")
    final String phase;

    private PhaseEvent(String variant, String phase) {
        this.variant = variant;
        this.phase = phase;
    }

    /** @return the event, begun; {@link #commit()} it when the phase ends */
    static PhaseEvent begin(String variant, String phase) {
        PhaseEvent event = new PhaseEvent(variant, phase);
        event.begin();
        return event;
    }
}
