package io.paymentintents.api.command;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Confirms an intent, attaching {@code paymentMethod} first when given. */
public record ConfirmPaymentIntent(@TargetAggregateIdentifier String paymentIntentId, String accountId, String paymentMethod, String returnUrl) {
}
