package io.paymentintents.api.events;

import java.util.List;

/** A page of events in list order (newest first); {@code hasMore} says whether the next page has any. */
public record StripeEventPage(List<StripeEventRecord> data, boolean hasMore) {
}
