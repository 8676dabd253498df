package io.paymentintents.gateway;

import io.paymentintents.api.command.AuthenticatePaymentIntent;
import io.paymentintents.api.command.SettlePaymentIntent;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.idempotency.IdempotentRequest;
import io.paymentintents.gateway.idempotency.IdempotentRequests;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.StripeObjects;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * {@code /v1/test_helpers/payment_intents}: what the customer or the bank would do, on demand, so that a test can
 * drive an intent through requires_action and processing without a browser or a wait. Secret key only, keyed like
 * every POST; a helper called in the wrong status is the aggregate's 400 {@code payment_intent_unexpected_state}.
 */
@RestController
@RequestMapping(path = "/v1/test_helpers/payment_intents", produces = "application/json")
public class TestHelpersController {

    private static final Set<String> PARAMS = Set.of("outcome", "expand");
    private static final Map<String, Boolean> OUTCOMES = new LinkedHashMap<>();

    static {
        OUTCOMES.put("success", true);
        OUTCOMES.put("failure", false);
    }

    private final PaymentIntentService service;
    private final IdempotentRequests idempotency;

    public TestHelpersController(PaymentIntentService service, IdempotentRequests idempotency) {
        this.service = service;
        this.idempotency = idempotency;
    }

    /** The customer completes ({@code success}) or fails the 3-D Secure authentication, as on the hosted page. */
    @PostMapping("/{id}/authenticate")
    public ResponseEntity<Object> authenticate(Caller caller, Params params, @PathVariable String id,
                                               HttpServletRequest http) {
        return helper(caller, params, id, http, (accountId, succeeded) ->
                new AuthenticatePaymentIntent(id, accountId, succeeded));
    }

    /** The bank's final answer for an asynchronous payment in processing arrives now. */
    @PostMapping("/{id}/settle")
    public ResponseEntity<Object> settle(Caller caller, Params params, @PathVariable String id,
                                         HttpServletRequest http) {
        return helper(caller, params, id, http, (accountId, succeeded) ->
                new SettlePaymentIntent(id, accountId, succeeded));
    }

    private ResponseEntity<Object> helper(Caller caller, Params params, String id, HttpServletRequest http,
                                          BiFunction<String, Boolean, Object> command) {
        PaymentIntentController.requireWellFormed(id);
        params.allowOnly(PARAMS);
        Expansion expansion = Expansion.forObject(params);
        params.requiredString("outcome");
        boolean succeeded = params.oneOf("outcome", OUTCOMES).orElseThrow();
        IdempotentRequest request = PaymentIntentController.keyed(caller, params, http);
        // 200 with the intent even when the payment then failed: the helper did what it was asked, and
        // last_payment_error shows the decline (a 402 would say the helper call itself was refused)
        return idempotency.run(request, () -> StripeObjects.paymentIntent(service.executeShowingDeclines(
                caller.accountId(), id, command.apply(caller.accountId(), succeeded),
                PaymentIntentController.audit(caller, http, request)), expansion));
    }
}
