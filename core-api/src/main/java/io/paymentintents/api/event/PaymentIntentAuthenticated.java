package io.paymentintents.api.event;

import io.paymentintents.api.PaymentIntentStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * The customer completed authentication of {@code paymentMethod} on an intent with {@code confirmation_method=manual}:
 * the intent is {@code requires_confirmation}, and the next confirm charges without asking again. (With automatic
 * confirmation the charge follows at once, and its outcome event is stored instead.)
 */
@Revision("1")
public record PaymentIntentAuthenticated(String paymentIntentId, String paymentMethod, PaymentIntentStatus status,
                                         Instant occurredAt)
        implements PaymentIntentEvent {
}
