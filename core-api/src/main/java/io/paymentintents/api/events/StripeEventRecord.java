package io.paymentintents.api.events;

import io.paymentintents.api.query.PaymentIntentView;

/**
 * One Stripe event as the events read model keeps it: the intent after the change ({@code object}) and before it
 * ({@code previous}, null for {@code payment_intent.created}), from which the gateway renders {@code data.object}
 * and {@code data.previous_attributes}.
 *
 * @param id             {@code evt_…}, {@link StripeEventTypes#eventId} of the stored event
 * @param created        unix seconds of the stored event
 * @param position       the order of events (the event store's order): lists are newest first by it
 * @param requestId      {@code Request-Id} of the API request that caused it; null for the service's own timers
 * @param idempotencyKey the {@code Idempotency-Key} of that request, if any
 */
public record StripeEventRecord(String id, String accountId, String type, long created, long position,
                                String paymentIntentId, long sequence, PaymentIntentView object,
                                PaymentIntentView previous, String requestId, String idempotencyKey) {
}
