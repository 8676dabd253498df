package io.paymentintents.api.event;

import io.paymentintents.api.*;
import org.axonframework.serialization.Revision;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The intent was canceled; a hold it had is released ({@code charge} then shows the release). */
@Revision("1")
public record PaymentIntentCanceled(String paymentIntentId, CancellationReason cancellationReason, Charge charge, PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
