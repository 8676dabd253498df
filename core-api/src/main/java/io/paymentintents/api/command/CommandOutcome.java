package io.paymentintents.api.command;

import io.paymentintents.api.PaymentError;

/**
 * What every PaymentIntent command answers: the aggregate version its events reached (so the gateway can wait for
 * the read model to show at least that version), and the decline when a payment attempt was refused. A decline is
 * a recorded outcome, not an exception: its events must be stored, so the handler cannot throw.
 */
public record CommandOutcome(String paymentIntentId, long version, PaymentError declined) {

    public static CommandOutcome accepted(String paymentIntentId, long version) {
        return new CommandOutcome(paymentIntentId, version, null);
    }
}
