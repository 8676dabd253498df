package io.paymentintents.command;

import java.time.Duration;

/**
 * The clocks of a payment, configurable so that test mode can be fast and operators can follow their acquirer.
 *
 * @param settlementDelay        how long a bank debit stays {@code processing} before the processor is asked for
 *                               its settlement
 * @param captureExpiry          how long an authorization may wait for capture before it is released and the
 *                               intent canceled ({@code cancellation_reason: automatic}); 7 days at Stripe
 * @param outcomeQueryFirstDelay the janitor's first wait before re-querying an attempt whose outcome is unknown;
 *                               each further wait doubles
 * @param outcomeQueryMaxDelay   the longest wait between two re-queries
 */
public record PaymentTimings(Duration settlementDelay, Duration captureExpiry, Duration outcomeQueryFirstDelay,
                             Duration outcomeQueryMaxDelay) {

    public static final PaymentTimings STRIPE_LIKE = new PaymentTimings(Duration.ofSeconds(10), Duration.ofDays(7),
            Duration.ofSeconds(1), Duration.ofMinutes(5));

    public PaymentTimings {
        for (Duration d : new Duration[]{settlementDelay, captureExpiry, outcomeQueryFirstDelay, outcomeQueryMaxDelay}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("payment timings must be zero or positive durations");
            }
        }
    }

    /** The wait before re-query number {@code attempt} (0 for the first): exponential, capped. */
    public Duration outcomeQueryDelay(int attempt) {
        Duration delay = outcomeQueryFirstDelay;
        for (int i = 0; i < attempt && delay.compareTo(outcomeQueryMaxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(outcomeQueryMaxDelay) > 0 ? outcomeQueryMaxDelay : delay;
    }
}
