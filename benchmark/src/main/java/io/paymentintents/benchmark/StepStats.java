package io.paymentintents.benchmark;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one step measured, per operation label (create, confirm, pair, retrieve, list): latencies in microseconds from
 * the moment the request was <em>meant</em> to be sent (so a late send counts against the service, which is what
 * corrects for coordinated omission), successes, and errors by kind.
 */
final class StepStats {

    static final long MAX_MICROS = 3_600_000_000L;

    final class Op {
        final Histogram latency = new ConcurrentHistogram(MAX_MICROS, 3);
        final LongAdder ok = new LongAdder();
        /** successes completed before the end of the step's sending window: the step's throughput */
        final LongAdder okInWindow = new LongAdder();
        final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

        long errorCount() {
            return errors.values().stream().mapToLong(LongAdder::sum).sum();
        }
    }

    private final Map<String, Op> ops = new ConcurrentHashMap<>();
    volatile long windowEndNanos = Long.MAX_VALUE;

    Op op(String label) {
        return ops.computeIfAbsent(label, l -> new Op());
    }

    Map<String, Op> ops() {
        return new TreeMap<>(ops);
    }

    /** Records the outcome of a request meant to leave at {@code intendedNanos}; true when it succeeded (2xx). */
    boolean record(String label, long intendedNanos, RawHttp.Response response, Throwable failure) {
        long now = System.nanoTime();
        Op op = op(label);
        op.latency.recordValue(Math.min(MAX_MICROS, Math.max(0, (now - intendedNanos) / 1000)));
        if (failure == null && response.status() / 100 == 2) {
            op.ok.increment();
            if (now <= windowEndNanos) {
                op.okInWindow.increment();
            }
            return true;
        }
        String kind = failure != null ? rootName(failure) : "HTTP " + response.status()
                + errorCode(response.body());
        op.errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
        return false;
    }

    private static String errorCode(String body) {
        String code = Api.stringField(body, "code");
        if (code == null) {
            code = Api.stringField(body, "type");
        }
        return code == null ? "" : " " + code;
    }

    static String rootName(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }
}
