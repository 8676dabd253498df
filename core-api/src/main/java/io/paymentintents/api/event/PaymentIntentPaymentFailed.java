package io.paymentintents.api.event;

import io.paymentintents.api.*;
import org.axonframework.serialization.Revision;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A payment attempt was declined. Card declines leave the intent in {@code requires_payment_method} (retryable); its payment method is detached. */
@Revision("1")
public record PaymentIntentPaymentFailed(String paymentIntentId, PaymentError error, Charge charge, PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
