package io.paymentintents.gateway.webhooks;

import java.util.Optional;

/**
 * The body of a delivery: the Stripe event as {@code GET /v1/events/{id}} renders it, so that a receiver can
 * compare the two; empty while the events read model does not have the event yet.
 */
@FunctionalInterface
public interface StripeEventJson {

    Optional<String> render(String accountId, String eventId);
}
