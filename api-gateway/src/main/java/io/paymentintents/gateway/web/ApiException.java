package io.paymentintents.gateway.web;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.query.PaymentIntentView;

/**
 * An answer in Stripe's error envelope. Carries the intent the error is about, if any, for
 * {@code error.payment_intent}.
 */
public class ApiException extends RuntimeException {

    private final transient ApiError error;
    private final transient PaymentIntentView paymentIntent;

    public ApiException(ApiError error) {
        this(error, null);
    }

    public ApiException(ApiError error, PaymentIntentView paymentIntent) {
        super(error.message(), null, false, false);
        this.error = error;
        this.paymentIntent = paymentIntent;
    }

    public ApiError error() {
        return error;
    }

    public PaymentIntentView paymentIntent() {
        return paymentIntent;
    }
}
