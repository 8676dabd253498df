package io.paymentintents.api.command;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Captures an authorized intent; {@code amountToCapture} null means all of {@code amount_capturable}. */
public record CapturePaymentIntent(@TargetAggregateIdentifier String paymentIntentId, String accountId, Long amountToCapture) {
}
