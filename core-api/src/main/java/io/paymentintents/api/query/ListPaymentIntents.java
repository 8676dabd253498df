package io.paymentintents.api.query;

import io.paymentintents.api.PaymentIntentStatus;

/**
 * A page of one account's intents, newest first by ({@code created}, {@code id}). Null filters match everything;
 * the {@code created} bounds are unix seconds. At most one of the two cursors is set.
 */
public record ListPaymentIntents(String accountId, String customer, PaymentIntentStatus status, Long createdGt,
                                 Long createdGte, Long createdLt, Long createdLte, int limit, String startingAfter,
                                 String endingBefore) {
}
