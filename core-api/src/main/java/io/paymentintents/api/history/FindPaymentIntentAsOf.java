package io.paymentintents.api.history;

/**
 * One intent of one account as it was at the end of the second {@code asOf} (unix seconds), folded from the event
 * store: the events that happened in or before that second. Answered with an empty {@code Optional} when the
 * account has no such intent or it did not exist yet.
 */
public record FindPaymentIntentAsOf(String accountId, String paymentIntentId, long asOf) {
}
