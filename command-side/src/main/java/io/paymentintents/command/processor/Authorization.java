package io.paymentintents.command.processor;

/**
 * The processor's answer to an authorization. Following Kill Bill, an outcome is never a guess: approved, declined
 * (with Stripe's codes), or one of the states that the payment-flows work resolves later.
 */
public record Authorization(Outcome outcome, String failureCode, String declineCode, String message) {

    public enum Outcome { APPROVED, DECLINED }

    public static Authorization approved() {
        return new Authorization(Outcome.APPROVED, null, null, null);
    }

    public static Authorization declined(String failureCode, String declineCode, String message) {
        return new Authorization(Outcome.DECLINED, failureCode, declineCode, message);
    }
}
