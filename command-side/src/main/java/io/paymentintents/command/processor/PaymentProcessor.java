package io.paymentintents.command.processor;

import io.paymentintents.api.Money;

import java.util.Optional;

/**
 * The command side's one port to the outside world of money movement. The test-mode simulator implements it from a
 * table of test payment methods; a live acquirer becomes another adapter of the same interface.
 *
 * <p>Every call names the attempt by {@code reference}, our charge id, which is also the processor's idempotency
 * key: a call repeated for the same attempt (a retry after a crash, a re-query after a timeout) must never move
 * money twice. The aggregate calls the port inside its command or deadline handler, before storing the events that
 * record the answer; an adapter that needs longer than a few seconds must answer {@code UNKNOWN} (or
 * {@code PENDING}) and let the janitor ask again, because the event-store transaction must stay short.
 */
public interface PaymentProcessor {

    /** The payment method behind an id, or empty when the processor does not know it. */
    Optional<PaymentMethodInfo> paymentMethod(String paymentMethodId);

    /**
     * Asks the processor to authorize (and, when {@code capture}, capture) {@code amount} on the payment method.
     * {@code authenticated} says the customer has completed the authentication an earlier answer of
     * {@code ACTION_REQUIRED} asked for.
     */
    ProcessorResult authorize(String reference, PaymentMethodInfo paymentMethod, Money amount, boolean capture,
                              boolean authenticated);

    /** Captures {@code amount} of an authorization made earlier under {@code reference}; the rest is released. */
    void capture(String reference, Money amount);

    /** Releases an uncaptured authorization made under {@code reference}. */
    void release(String reference);

    /**
     * The settlement of a {@code PENDING} attempt: {@code APPROVED} when the bank paid, {@code DECLINED} when it
     * refused the debit, {@code PENDING} while it has not decided. The attempt's payment method is passed along
     * because a settlement report is about what was sent.
     */
    ProcessorResult settle(String reference, PaymentMethodInfo paymentMethod);

    /**
     * What became of an attempt whose answer was lost: any outcome of {@link #authorize}, including
     * {@code UNKNOWN} again when the processor still cannot tell.
     */
    ProcessorResult queryStatus(String reference, PaymentMethodInfo paymentMethod);
}
