package io.paymentintents.command.processor;

import io.paymentintents.api.Money;

import java.util.Optional;

/**
 * The command side's one port to the outside world of money movement. The test-mode simulator implements it from a
 * table of test payment methods; a live acquirer becomes another adapter of the same interface.
 */
public interface PaymentProcessor {

    /** The payment method behind an id, or empty when the processor does not know it. */
    Optional<PaymentMethodInfo> paymentMethod(String paymentMethodId);

    /**
     * Asks the processor to authorize (and, for automatic capture, capture) {@code amount} on the payment method.
     * {@code reference} is our charge id, so that a repeated call for the same attempt is recognised by the processor.
     */
    Authorization authorize(String reference, PaymentMethodInfo paymentMethod, Money amount, boolean capture);

    /** Captures {@code amount} of an authorization made earlier under {@code reference}; the rest is released. */
    void capture(String reference, Money amount);

    /** Releases an uncaptured authorization made under {@code reference}. */
    void release(String reference);
}
