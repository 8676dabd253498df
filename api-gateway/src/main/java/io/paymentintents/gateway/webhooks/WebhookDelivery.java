package io.paymentintents.gateway.webhooks;

import java.time.Instant;
import java.util.List;

/**
 * One event on its way to one endpoint, with every attempt made so far (oldest first).
 *
 * @param state         {@code pending}, {@code succeeded} or {@code failed} (retries given up)
 * @param nextAttemptAt when a pending delivery is due; null otherwise
 */
public record WebhookDelivery(String id, String endpointId, String eventId, String eventType, Instant createdAt,
                              String state, int attemptCount, Instant nextAttemptAt, List<Attempt> attempts) {

    /**
     * @param statusCode the receiver's HTTP status, null when there was none
     * @param latencyMs  null when unknown (an attempt its sender did not live to finish)
     * @param error      why the attempt failed, null when it succeeded
     */
    public record Attempt(int number, Instant attemptedAt, boolean manual, Integer statusCode, Long latencyMs,
                          String error) {
    }
}
