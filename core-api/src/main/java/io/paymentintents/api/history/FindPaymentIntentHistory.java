package io.paymentintents.api.history;

/**
 * Every stored event of one intent of one account, in stream order, as a streaming query of {@link StoredEvent}s;
 * no events when the account has no such intent.
 */
public record FindPaymentIntentHistory(String accountId, String paymentIntentId) {
}
