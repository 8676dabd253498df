package io.paymentintents.api.event;

import io.paymentintents.api.*;
import org.axonframework.serialization.Revision;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A payment attempt was authorized and awaits capture ({@code capture_method=manual}): the intent is {@code requires_capture}. */
@Revision("1")
public record PaymentIntentAmountCapturableUpdated(String paymentIntentId, String paymentMethod, long amountCapturable, Charge charge, PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
