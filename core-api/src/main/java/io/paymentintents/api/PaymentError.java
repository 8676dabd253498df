package io.paymentintents.api;

/**
 * What went wrong in a payment attempt, as Stripe shows it in {@code last_payment_error} and in a 402 response.
 *
 * @param type          {@code card_error} for declines, {@code invalid_request_error} for authentication failures
 * @param code          e.g. {@code card_declined}, {@code expired_card}
 * @param declineCode   e.g. {@code generic_decline}, {@code insufficient_funds}; null where Stripe gives none
 * @param message       the human-readable text
 * @param paymentMethod the payment method of the attempt
 * @param chargeId      the failed charge, if one was created
 */
public record PaymentError(String type, String code, String declineCode, String message, String paymentMethod,
                           String paymentMethodType, String chargeId) {
}
