package io.paymentintents.command.processor;

import io.paymentintents.api.Money;

import java.util.Map;
import java.util.Optional;

/**
 * The test-mode simulator: Stripe's test payment methods with their documented outcomes. Deterministic, so that
 * aggregate fixtures can expect exact events.
 */
public class TestModeProcessor implements PaymentProcessor {

    private record Behaviour(PaymentMethodInfo info, Authorization authorization) {
    }

    private static final Map<String, Behaviour> METHODS = Map.ofEntries(
            approvedCard("pm_card_visa"),
            approvedCard("pm_card_mastercard"),
            approvedCard("pm_card_amex"),
            approvedCard("pm_card_visa_debit"),
            declinedCard("pm_card_chargeDeclined", "card_declined", "generic_decline", "Your card was declined."),
            declinedCard("pm_card_visa_chargeDeclined", "card_declined", "generic_decline", "Your card was declined."),
            declinedCard("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds",
                    "Your card has insufficient funds."),
            declinedCard("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card",
                    "Your card has expired."),
            declinedCard("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc",
                    "Your card's security code is incorrect."),
            declinedCard("pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error",
                    "An error occurred while processing your card. Try again in a little bit."));

    private static Map.Entry<String, Behaviour> approvedCard(String id) {
        return Map.entry(id, new Behaviour(new PaymentMethodInfo(id, "card"), Authorization.approved()));
    }

    private static Map.Entry<String, Behaviour> declinedCard(String id, String code, String declineCode, String message) {
        return Map.entry(id, new Behaviour(new PaymentMethodInfo(id, "card"),
                Authorization.declined(code, declineCode, message)));
    }

    @Override
    public Optional<PaymentMethodInfo> paymentMethod(String paymentMethodId) {
        return Optional.ofNullable(METHODS.get(paymentMethodId)).map(Behaviour::info);
    }

    @Override
    public Authorization authorize(String reference, PaymentMethodInfo paymentMethod, Money amount, boolean capture) {
        Behaviour behaviour = METHODS.get(paymentMethod.id());
        if (behaviour == null) {
            throw new IllegalArgumentException("unknown test payment method " + paymentMethod.id());
        }
        return behaviour.authorization();
    }

    @Override
    public void capture(String reference, Money amount) {
        // Test mode: every authorization it approved can be captured.
    }

    @Override
    public void release(String reference) {
        // Test mode: nothing is held anywhere.
    }
}
