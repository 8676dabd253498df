package io.paymentintents.api.history;

import java.time.Instant;

/**
 * One event of an intent as the event store holds it: the audit trail's entry ({@code GET
 * /v1/payment_intents/{id}/history}) and a line of an export. The audit fields are the event's metadata
 * ({@link io.paymentintents.api.AuditMetadata}); they are null for an event the service caused itself (a timer).
 *
 * @param sequence      the event's sequence number in the intent's stream, from 0
 * @param type          the event's Java simple name, e.g. {@code PaymentIntentCreated}
 * @param stripeType    the Stripe event type derived from it, or null when Stripe has none
 * @param stripeEventId the {@code evt_} id of that Stripe event, or null when there is none
 * @param storedAt      the event's timestamp in the store
 * @param payload       the event's JSON as stored (after upcasting)
 */
public record StoredEvent(String paymentIntentId, long sequence, String type, String stripeType,
                          String stripeEventId, Instant storedAt, String payload, String accountId, String keyId,
                          String requestId, String idempotencyKey, String clientIp, String userAgent) {
}
