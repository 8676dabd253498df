package io.paymentintents.api.event;

import io.paymentintents.api.*;
import org.axonframework.serialization.Revision;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fields were changed by the client; carries every updatable field as it is after the change. Clears {@code last_payment_error}. */
@Revision("1")
public record PaymentIntentUpdated(String paymentIntentId, long amount, String currency, String customer, String description, Map<String, String> metadata, List<String> paymentMethodTypes, String paymentMethod, PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
