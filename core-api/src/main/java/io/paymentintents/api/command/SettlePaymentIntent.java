package io.paymentintents.api.command;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Test mode: the processor's final answer for an intent in {@code processing} arrives now ({@code succeeded} or
 * not), instead of after the simulated settlement delay ({@code /v1/test_helpers/.../settle}).
 */
public record SettlePaymentIntent(@TargetAggregateIdentifier String paymentIntentId, String accountId,
                                  boolean succeeded) {
}
