package io.paymentintents.command.processor;

/**
 * What the processor answers about one payment attempt. Following Kill Bill, an outcome is never a guess: when the
 * processor cannot say, the answer is {@link Outcome#UNKNOWN} and the attempt is asked about again later.
 *
 * @param failureCode Stripe's {@code code} for a decline ({@code card_declined}, {@code expired_card}, ...)
 * @param declineCode Stripe's {@code decline_code}; null where Stripe gives none
 * @param message     the customer-facing text of a decline
 */
public record ProcessorResult(Outcome outcome, String failureCode, String declineCode, String message) {

    public enum Outcome {
        /** The money is authorized (and, when asked, captured). */
        APPROVED,
        /** Accepted, but the bank settles later: ask {@link PaymentProcessor#settle} after the settlement delay. */
        PENDING,
        /** Refused, with Stripe's codes. */
        DECLINED,
        /** The card issuer wants the customer to authenticate (3-D Secure) before it decides. */
        ACTION_REQUIRED,
        /** No answer (a timeout): the attempt may or may not have happened. Ask {@link PaymentProcessor#queryStatus}. */
        UNKNOWN
    }

    public static ProcessorResult approved() {
        return new ProcessorResult(Outcome.APPROVED, null, null, null);
    }

    public static ProcessorResult pending() {
        return new ProcessorResult(Outcome.PENDING, null, null, null);
    }

    public static ProcessorResult actionRequired() {
        return new ProcessorResult(Outcome.ACTION_REQUIRED, null, null, null);
    }

    public static ProcessorResult unknown() {
        return new ProcessorResult(Outcome.UNKNOWN, null, null, null);
    }

    public static ProcessorResult declined(String failureCode, String declineCode, String message) {
        return new ProcessorResult(Outcome.DECLINED, failureCode, declineCode, message);
    }
}
