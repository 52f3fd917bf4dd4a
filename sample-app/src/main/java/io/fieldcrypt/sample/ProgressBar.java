package io.fieldcrypt.sample;

import java.io.PrintWriter;
import java.time.Duration;

/** A one-line text progress bar: done/total, rows per second and the time left. */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final long total;
    private final long started = System.nanoTime();

    ProgressBar(PrintWriter out, long total) {
        this.out = out;
        this.total = Math.max(total, 1);
    }

    void show(long done) {
        double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-3);
        double rate = done / seconds;
        int filled = (int) Math.min(WIDTH, WIDTH * done / total);
        long left = rate <= 0 ? 0 : (long) ((total - done) / rate);
        out.printf(
                "\r[%s%s] %d/%d rows, %.0f rows/s, ETA %s",
                "#".repeat(filled),
                " ".repeat(WIDTH - filled),
                done,
                total,
                rate,
                format(Duration.ofSeconds(Math.max(left, 0))));
        out.flush();
    }

    void finish(long done) {
        show(done);
        out.println();
    }

    private static String format(Duration duration) {
        return String.format("%d:%02d", duration.toMinutes(), duration.toSecondsPart());
    }
}
