package io.paymentintents.api.query;

import java.util.List;

/**
 * A page of intents in list order. {@code cursorFound} is false when the cursor named an intent the account does
 * not have; the page is then empty.
 */
public record PaymentIntentPage(List<PaymentIntentView> data, boolean hasMore, boolean cursorFound) {
}
