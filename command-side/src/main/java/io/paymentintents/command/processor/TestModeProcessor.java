package io.paymentintents.command.processor;

import io.paymentintents.api.Money;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test-mode simulator: Stripe's test payment methods with their documented outcomes, plus bank debits that
 * settle later and cards whose processor times out. Deterministic, so that aggregate fixtures can expect exact
 * events; the one piece of state, which timed-out attempts were already asked about, only decides whether the first
 * re-query answers {@code UNKNOWN} once more (to exercise the janitor's back-off).
 */
public class TestModeProcessor implements PaymentProcessor {

    /**
     * One test payment method: its answer to a first authorization, to an authorization after the customer
     * authenticated, and the settlement of a pending debit.
     */
    private record Behaviour(PaymentMethodInfo info, ProcessorResult first, ProcessorResult afterAuthentication,
                             ProcessorResult settlement, ProcessorResult afterTimeout) {
    }

    private static final ProcessorResult INSUFFICIENT_FUNDS = ProcessorResult.declined("card_declined",
            "insufficient_funds", "Your card has insufficient funds.");
    private static final ProcessorResult GENERIC_DECLINE = ProcessorResult.declined("card_declined",
            "generic_decline", "Your card was declined.");

    private static final Map<String, Behaviour> METHODS = Map.ofEntries(
            card("pm_card_visa", ProcessorResult.approved()),
            card("pm_card_mastercard", ProcessorResult.approved()),
            card("pm_card_amex", ProcessorResult.approved()),
            card("pm_card_visa_debit", ProcessorResult.approved()),
            card("pm_card_chargeDeclined", GENERIC_DECLINE),
            card("pm_card_visa_chargeDeclined", GENERIC_DECLINE),
            card("pm_card_chargeDeclinedInsufficientFunds", INSUFFICIENT_FUNDS),
            card("pm_card_chargeDeclinedExpiredCard",
                    ProcessorResult.declined("expired_card", "expired_card", "Your card has expired.")),
            card("pm_card_chargeDeclinedIncorrectCvc",
                    ProcessorResult.declined("incorrect_cvc", "incorrect_cvc",
                            "Your card's security code is incorrect.")),
            card("pm_card_chargeDeclinedProcessingError",
                    ProcessorResult.declined("processing_error", "processing_error",
                            "An error occurred while processing your card. Try again in a little bit.")),
            authenticated("pm_card_authenticationRequired", ProcessorResult.approved()),
            authenticated("pm_card_threeDSecure2Required", ProcessorResult.approved()),
            authenticated("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", INSUFFICIENT_FUNDS),
            debit("pm_direct_debit", "direct_debit", ProcessorResult.approved()),
            debit("pm_direct_debit_fails", "direct_debit", ProcessorResult.declined("insufficient_funds", null,
                    "The customer's account has insufficient funds to cover this payment.")),
            debit("pm_open_banking", "open_banking", ProcessorResult.approved()),
            debit("pm_open_banking_fails", "open_banking", ProcessorResult.declined(
                    "payment_method_provider_decline", null,
                    "The payment was declined by the customer's bank.")),
            timeout("pm_card_processorTimeout", ProcessorResult.approved()),
            timeout("pm_card_processorTimeoutDeclined", GENERIC_DECLINE));

    /** Timed-out attempts asked about once already: the next query tells the truth. */
    private final Set<String> queriedOnce = ConcurrentHashMap.newKeySet();

    private static Map.Entry<String, Behaviour> card(String id, ProcessorResult result) {
        return Map.entry(id, new Behaviour(new PaymentMethodInfo(id, "card"), result, result, null, null));
    }

    private static Map.Entry<String, Behaviour> authenticated(String id, ProcessorResult afterAuthentication) {
        return Map.entry(id, new Behaviour(new PaymentMethodInfo(id, "card"), ProcessorResult.actionRequired(),
                afterAuthentication, null, null));
    }

    private static Map.Entry<String, Behaviour> debit(String id, String type, ProcessorResult settlement) {
        return Map.entry(id, new Behaviour(new PaymentMethodInfo(id, type), ProcessorResult.pending(),
                ProcessorResult.pending(), settlement, null));
    }

    private static Map.Entry<String, Behaviour> timeout(String id, ProcessorResult truth) {
        return Map.entry(id, new Behaviour(new PaymentMethodInfo(id, "card"), ProcessorResult.unknown(),
                ProcessorResult.unknown(), null, truth));
    }

    @Override
    public Optional<PaymentMethodInfo> paymentMethod(String paymentMethodId) {
        return Optional.ofNullable(METHODS.get(paymentMethodId)).map(Behaviour::info);
    }

    @Override
    public ProcessorResult authorize(String reference, PaymentMethodInfo paymentMethod, Money amount,
                                     boolean capture, boolean authenticated) {
        Behaviour behaviour = behaviour(paymentMethod);
        return authenticated ? behaviour.afterAuthentication() : behaviour.first();
    }

    @Override
    public void capture(String reference, Money amount) {
        // Test mode: every authorization it approved can be captured.
    }

    @Override
    public void release(String reference) {
        // Test mode: nothing is held anywhere.
    }

    @Override
    public ProcessorResult settle(String reference, PaymentMethodInfo paymentMethod) {
        ProcessorResult settlement = behaviour(paymentMethod).settlement();
        return settlement == null ? ProcessorResult.unknown() : settlement;
    }

    @Override
    public ProcessorResult queryStatus(String reference, PaymentMethodInfo paymentMethod) {
        Behaviour behaviour = behaviour(paymentMethod);
        if (behaviour.afterTimeout() == null) {
            return behaviour.first();
        }
        return queriedOnce.add(reference) ? ProcessorResult.unknown() : behaviour.afterTimeout();
    }

    private static Behaviour behaviour(PaymentMethodInfo paymentMethod) {
        Behaviour behaviour = METHODS.get(paymentMethod.id());
        if (behaviour == null) {
            throw new IllegalArgumentException("unknown test payment method " + paymentMethod.id());
        }
        return behaviour;
    }
}
