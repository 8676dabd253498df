package io.paymentintents.gateway;

import io.paymentintents.api.Charge;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;
import io.paymentintents.gateway.web.StripeObjects;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/charges/{id}}: a charge is one payment attempt of an intent, kept inside that intent, so it is
 * read through the intent that holds it. Secret key only, as at Stripe.
 */
@RestController
@RequestMapping(path = "/v1/charges", produces = "application/json")
public class ChargeController {

    /** The rule of intent ids, for the charge prefix: checked before anything is asked of the read model. */
    private static final Pattern ID = Pattern.compile("ch_[A-Za-z0-9_]{1,252}");

    private final PaymentIntentService service;

    public ChargeController(PaymentIntentService service) {
        this.service = service;
    }

    @GetMapping("/{id}")
    public Map<String, Object> retrieve(Caller caller, Params params, @PathVariable String id) {
        if (!ID.matcher(id).matches()) {
            throw new ApiException(noSuchCharge(id));
        }
        params.allowOnly(Set.of("expand"));
        // nothing on a charge is expandable here: we keep no customer, payment method or balance transaction
        List<String> expand = params.stringList("expand").orElse(List.of());
        if (!expand.isEmpty()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "expand",
                    "This property cannot be expanded (" + expand.get(0) + ")."));
        }
        PaymentIntentView intent = service.findByCharge(caller.accountId(), id)
                .orElseThrow(() -> new ApiException(noSuchCharge(id)));
        Charge charge = intent.charges().stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new ApiException(noSuchCharge(id)));
        return StripeObjects.charge(charge, intent);
    }

    private static ApiError noSuchCharge(String id) {
        return new ApiError(404, ApiError.INVALID_REQUEST, ErrorCodes.RESOURCE_MISSING, "id",
                "No such charge: '" + id + "'", null, null, -1);
    }
}
