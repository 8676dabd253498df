package io.paymentintents.gateway.webhooks;

import java.time.Duration;

/**
 * When a failed delivery is tried again: {@code firstDelay} after the first failure, doubling after each further
 * one up to {@code maxDelay}, for as long as the next attempt falls within {@code maxAge} of the delivery's
 * creation; after that the delivery has failed for good. No jitter: the per-endpoint concurrency bound already keeps
 * a receiver that comes back from being flooded.
 */
public record RetrySchedule(Duration firstDelay, Duration maxDelay, Duration maxAge) {

    public RetrySchedule {
        if (firstDelay.isNegative() || firstDelay.isZero() || maxDelay.compareTo(firstDelay) < 0
                || maxAge.isNegative()) {
            throw new IllegalArgumentException("payments.webhooks.retry: need 0 < first-delay <= max-delay and "
                    + "max-age >= 0, got " + firstDelay + ", " + maxDelay + ", " + maxAge);
        }
    }

    /** The pause before the next attempt, after {@code attempts} attempts that all failed (at least one). */
    public Duration delayAfter(int attempts) {
        Duration delay = firstDelay;
        for (int i = 1; i < attempts && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
