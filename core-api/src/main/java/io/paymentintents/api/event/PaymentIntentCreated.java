package io.paymentintents.api.event;

import io.paymentintents.api.*;
import org.axonframework.serialization.Revision;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An intent came into being, in {@code requires_payment_method} or, with a payment method, {@code requires_confirmation}. */
@Revision("1")
public record PaymentIntentCreated(String paymentIntentId, String accountId, long amount, String currency, String customer, String description, Map<String, String> metadata, List<String> paymentMethodTypes, CaptureMethod captureMethod, ConfirmationMethod confirmationMethod, String paymentMethod, String returnUrl, PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
