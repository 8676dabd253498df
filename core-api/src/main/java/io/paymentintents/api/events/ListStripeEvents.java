package io.paymentintents.api.events;

import java.util.List;

/**
 * {@code GET /v1/events}: an account's events, newest first. {@code types} are exact types or patterns with
 * {@code *} (as {@code payment_intent.*}); empty means all. Created bounds are unix seconds, null when absent.
 * At most one of the cursors (event ids) is set.
 */
public record ListStripeEvents(String accountId, List<String> types, Long createdGt, Long createdGte,
                               Long createdLt, Long createdLte, String startingAfter, String endingBefore,
                               int limit) {
}
