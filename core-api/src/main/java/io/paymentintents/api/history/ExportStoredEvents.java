package io.paymentintents.api.history;

import java.time.Instant;

/**
 * Every stored event of one account's intents stored from {@code from} (inclusive) to {@code to} (exclusive), in
 * the event store's order, as a streaming query of {@link StoredEvent}s. Events stored after the query started are
 * not included.
 */
public record ExportStoredEvents(String accountId, Instant from, Instant to) {
}
