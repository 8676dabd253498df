package io.paymentintents.api.event;

import io.paymentintents.api.*;
import org.axonframework.serialization.Revision;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An authorized amount was captured, in full or in part; the rest of the hold is released and the intent is {@code succeeded}. */
@Revision("1")
public record PaymentIntentCaptured(String paymentIntentId, long amountReceived, Charge charge, PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
