package io.paymentintents.api.events;

/** One event of one account ({@code GET /v1/events/{id}}); answered with an empty {@code Optional} when there is none. */
public record FindStripeEvent(String accountId, String eventId) {
}
