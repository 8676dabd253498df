package io.paymentintents.gateway.webhooks;

import java.time.Duration;

/**
 * The {@code payments.webhooks.*} settings (docs/operations.md).
 *
 * @param connectTimeout           how long a sender waits for the receiver's connection
 * @param readTimeout              how long it then waits for the answer
 * @param threads                  the senders' own worker pool (they never use request or processor threads)
 * @param maxInFlight              deliveries one process sends at once, over all endpoints
 * @param maxConcurrentPerEndpoint deliveries sent at once to one endpoint, over all processes, so that a slow or
 *                                 dead receiver holds at most this many of the senders' slots
 * @param pollInterval             how often a process looks for due deliveries (it is also woken by new ones)
 * @param eventWait                how long a delivery waits when its event is not in the events read model yet
 * @param retention                finished deliveries (and their attempts) are deleted this long after creation
 * @param maxEndpointsPerAccount   the number of endpoints one account may have
 */
public record WebhookSettings(Duration connectTimeout, Duration readTimeout, RetrySchedule retry, int threads,
                              int maxInFlight, int maxConcurrentPerEndpoint, Duration pollInterval,
                              Duration eventWait, Duration retention, int maxEndpointsPerAccount) {

    /**
     * How long a claimed delivery belongs to its sender: longer than any send can take (connect, answer, and a
     * margin for rendering the event and recording the result), so that two senders never send the same attempt
     * at once; short enough that a delivery whose sender died is sent again soon after.
     */
    public Duration lease() {
        return connectTimeout.plus(readTimeout).plus(LEASE_MARGIN);
    }

    /** The whole exchange, body included, is cut off after this. */
    public Duration sendDeadline() {
        return connectTimeout.plus(readTimeout).plus(Duration.ofSeconds(1));
    }

    private static final Duration LEASE_MARGIN = Duration.ofSeconds(10);
}
