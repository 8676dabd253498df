package io.paymentintents.api.command;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Cancels an intent; {@code cancellationReason} may be null. */
public record CancelPaymentIntent(@TargetAggregateIdentifier String paymentIntentId, String accountId, io.paymentintents.api.CancellationReason cancellationReason) {
}
