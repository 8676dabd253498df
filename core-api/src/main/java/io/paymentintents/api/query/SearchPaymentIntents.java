package io.paymentintents.api.query;

/**
 * A page of one account's intents that match a search query, newest first by ({@code created}, {@code id}).
 * {@code page} is a {@link SearchCursor} a previous result handed out as {@code nextPage}, or null for the first page.
 */
public record SearchPaymentIntents(String accountId, SearchQuery query, int limit, String page) {
}
