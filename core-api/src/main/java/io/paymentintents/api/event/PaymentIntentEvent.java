package io.paymentintents.api.event;

import io.paymentintents.api.PaymentIntentStatus;

import java.time.Instant;

/**
 * Every fact stored in a PaymentIntent's stream. Each event names the status it leaves the intent in, so projections
 * and consumers never re-derive the status machine. Sealed, so that a projection's switch is checked for
 * exhaustiveness by the compiler.
 */
public sealed interface PaymentIntentEvent
        permits PaymentIntentCreated, PaymentIntentUpdated, PaymentIntentSucceeded,
        PaymentIntentAmountCapturableUpdated, PaymentIntentPaymentFailed, PaymentIntentCaptured,
        PaymentIntentCanceled, PaymentIntentRequiresAction, PaymentIntentAuthenticated, PaymentIntentProcessing {

    String paymentIntentId();

    PaymentIntentStatus status();

    Instant occurredAt();
}
