package io.paymentintents.api.query;

/** One intent of one account; answered with an empty result when the account has no such intent. */
public record FindPaymentIntent(String accountId, String paymentIntentId) {
}
