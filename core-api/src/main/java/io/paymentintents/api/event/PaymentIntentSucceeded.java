package io.paymentintents.api.event;

import io.paymentintents.api.*;
import org.axonframework.serialization.Revision;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A payment attempt moved the money: the intent is {@code succeeded} (automatic capture). */
@Revision("1")
public record PaymentIntentSucceeded(String paymentIntentId, String paymentMethod, long amountReceived, Charge charge, PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
