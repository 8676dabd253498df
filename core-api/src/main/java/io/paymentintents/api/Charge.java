package io.paymentintents.api;

import java.time.Instant;

/**
 * One attempt to move money for an intent, in the shape of Stripe's charge object.
 *
 * @param status         {@code succeeded}, {@code pending} or {@code failed}
 * @param outcomeType    Stripe's {@code outcome.type}: {@code authorized}, {@code issuer_declined}, ...
 * @param sellerMessage  Stripe's {@code outcome.seller_message}
 */
public record Charge(String id, long amount, long amountCaptured, long amountRefunded, String currency,
                     boolean captured, String status, String paymentMethod, String paymentMethodType,
                     String failureCode, String failureMessage, String declineCode, String outcomeType,
                     String sellerMessage, Instant created) {

    public Charge captured(long capturedAmount) {
        return new Charge(id, amount, capturedAmount, amount - capturedAmount, currency, true, "succeeded",
                paymentMethod, paymentMethodType, failureCode, failureMessage, declineCode, outcomeType,
                sellerMessage, created);
    }

    public Charge released() {
        return new Charge(id, amount, 0, amount, currency, false, status, paymentMethod, paymentMethodType,
                failureCode, failureMessage, declineCode, outcomeType, sellerMessage, created);
    }
}
