package io.paymentintents.api.event;

import io.paymentintents.api.PaymentIntentStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * The payment method needs the customer to authenticate (3-D Secure) before it can be charged: the intent is
 * {@code requires_action}. {@code returnUrl} is where the hosted authentication page sends the customer afterwards;
 * null means the client authenticates through the SDK ({@code use_stripe_sdk}).
 */
@Revision("1")
public record PaymentIntentRequiresAction(String paymentIntentId, String paymentMethod, String returnUrl,
                                          PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
