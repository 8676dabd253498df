package io.paymentintents.api.query;

import java.util.List;

/**
 * A page of search results in list order. {@code nextPage} is the cursor of the following page, null when
 * {@code hasMore} is false; {@code totalCount} counts every intent that matches, on all pages.
 */
public record PaymentIntentSearchResult(List<PaymentIntentView> data, boolean hasMore, String nextPage,
                                        long totalCount) {

    public PaymentIntentSearchResult {
        data = List.copyOf(data);
    }
}
