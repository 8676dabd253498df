package io.paymentintents.api.event;

import io.paymentintents.api.Charge;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.ProcessingReason;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * A payment attempt was accepted but its outcome is not known yet: the intent is {@code processing}, with a
 * {@code pending} charge. {@code reason} says whether the bank settles later or the processor's answer was lost.
 * A {@link PaymentIntentSucceeded}, {@link PaymentIntentAmountCapturableUpdated} or {@link PaymentIntentPaymentFailed}
 * for the same charge id follows.
 */
@Revision("1")
public record PaymentIntentProcessing(String paymentIntentId, String paymentMethod, ProcessingReason reason,
                                      Charge charge, PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
