package io.paymentintents.api.command;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Test mode: the customer completes ({@code succeeded}) or fails the authentication an intent in
 * {@code requires_action} asks for, as the hosted page's buttons and {@code /v1/test_helpers/.../authenticate} do.
 */
public record AuthenticatePaymentIntent(@TargetAggregateIdentifier String paymentIntentId, String accountId,
                                        boolean succeeded) {
}
