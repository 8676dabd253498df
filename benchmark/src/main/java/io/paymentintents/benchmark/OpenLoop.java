package io.paymentintents.benchmark;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A load generator at a fixed arrival rate (an open model, as wrk2): operation {@code i} is due at
 * {@code start + i / rate}, whatever happened to the ones before, and its latency is measured from that due time.
 * When the service is slow, requests queue up in the generator (at most {@code maxInFlight} are outstanding, as a
 * client with a connection pool of that size would have); the time they wait there is part of their latency.
 */
final class OpenLoop {

    interface Operation {
        /** Starts the operation due at {@code intendedNanos}; the future completes when all of it is done. */
        CompletableFuture<?> start(long intendedNanos, StepStats stats);
    }

    record Outcome(StepStats stats, long scheduled, double sendLagMaxMillis, boolean drained) {
    }

    private OpenLoop() {
    }

    static Outcome run(double ratePerSecond, Duration duration, int maxInFlight, Duration drainTimeout,
                       Operation operation) throws InterruptedException {
        StepStats stats = new StepStats();
        Semaphore slots = new Semaphore(maxInFlight);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long end = start + duration.toNanos();
        stats.windowEndNanos = end;
        double interval = 1e9 / ratePerSecond;
        long scheduled = 0;
        long worstSendLag = 0;
        for (long i = 0; ; i++) {
            long intended = start + (long) (i * interval);
            if (intended >= end) {
                break;
            }
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            slots.acquire();
            worstSendLag = Math.max(worstSendLag, System.nanoTime() - intended);
            scheduled++;
            CompletableFuture<?> running;
            try {
                running = operation.start(intended, stats);
            } catch (RuntimeException e) {
                running = CompletableFuture.failedFuture(e);
            }
            running.whenComplete((result, failure) -> slots.release());
        }
        boolean drained = slots.tryAcquire(maxInFlight, drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (drained) {
            slots.release(maxInFlight);
        }
        return new Outcome(stats, scheduled, worstSendLag / 1e6, drained);
    }
}
