package io.paymentintents.api.command;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Creates an intent, and confirms it in the same call when {@code confirm} is true. The id is chosen by the caller: random, or derived from the Idempotency-Key so that a retried create lands on the same stream. */
public record CreatePaymentIntent(@TargetAggregateIdentifier String paymentIntentId, String accountId, long amount, String currency, String customer, String description, java.util.Map<String, String> metadata, java.util.List<String> paymentMethodTypes, io.paymentintents.api.CaptureMethod captureMethod, io.paymentintents.api.ConfirmationMethod confirmationMethod, String paymentMethod, String returnUrl, boolean confirm) {
}
