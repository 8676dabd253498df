package io.paymentintents.gateway;

import io.paymentintents.api.CancellationReason;
import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.Currencies;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.command.CancelPaymentIntent;
import io.paymentintents.api.command.CapturePaymentIntent;
import io.paymentintents.api.command.ConfirmPaymentIntent;
import io.paymentintents.api.command.CreatePaymentIntent;
import io.paymentintents.api.command.UpdatePaymentIntent;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.query.ListPaymentIntents;
import io.paymentintents.api.query.PaymentIntentPage;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.auth.PublishableKeyAccess;
import io.paymentintents.gateway.auth.PublishableKeyAllowed;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;
import io.paymentintents.gateway.web.StripeObjects;
import io.paymentintents.api.AuditMetadata;
import io.paymentintents.gateway.idempotency.IdempotentRequest;
import io.paymentintents.gateway.idempotency.IdempotentRequests;
import io.paymentintents.gateway.web.RequestIdFilter;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code /v1/payment_intents}: parses and validates parameters (so that a bad request changes nothing and reaches no
 * aggregate), sends one command, and answers with the intent as that command left it.
 */
@RestController
@RequestMapping(path = "/v1/payment_intents", produces = "application/json")
public class PaymentIntentController {

    /** Checked before anything else, so that e.g. {@code POST /v1/payment_intents/search} is a plain 404. */
    private static final Pattern ID = Pattern.compile("pi_[A-Za-z0-9_]{1,252}");
    private static final Set<String> CREATE_PARAMS = Set.of("amount", "currency", "customer", "customer_id",
            "payment_method", "payment_method_types", "description", "capture_method", "confirmation_method",
            "confirm", "return_url", "metadata", "expand");
    private static final Set<String> UPDATE_PARAMS = Set.of("amount", "currency", "customer", "customer_id",
            "payment_method", "payment_method_types", "description", "metadata", "expand");
    /** {@code client_secret} and {@code key}: what Stripe.js sends along with a publishable key. */
    private static final Set<String> CONFIRM_PARAMS = Set.of("payment_method", "return_url", "expand",
            "client_secret", "key");
    private static final Set<String> CANCEL_PARAMS = Set.of("cancellation_reason", "expand");
    private static final Set<String> CAPTURE_PARAMS = Set.of("amount_to_capture", "expand");
    private static final Set<String> LIST_PARAMS = Set.of("customer", "customer_id", "status", "created", "limit",
            "starting_after", "ending_before", "expand");

    private static final Map<String, CaptureMethod> CAPTURE_METHODS = ordered(
            "automatic", CaptureMethod.AUTOMATIC, "automatic_async", CaptureMethod.AUTOMATIC,
            "manual", CaptureMethod.MANUAL);
    private static final Map<String, ConfirmationMethod> CONFIRMATION_METHODS = ordered(
            "automatic", ConfirmationMethod.AUTOMATIC, "manual", ConfirmationMethod.MANUAL);

    private final PaymentIntentService service;
    private final PaymentIntentIds ids;
    private final IdempotentRequests idempotency;

    public PaymentIntentController(PaymentIntentService service, PaymentIntentIds ids, IdempotentRequests idempotency) {
        this.service = service;
        this.ids = ids;
        this.idempotency = idempotency;
    }

    @PostMapping
    public ResponseEntity<Object> create(Caller caller, Params params, HttpServletRequest http) {
        params.allowOnly(CREATE_PARAMS);
        Expansion expansion = Expansion.forObject(params);
        long amount = params.requiredInteger("amount");
        String currency = params.requiredString("currency").toLowerCase(Locale.ROOT);
        if (amount < 1) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_INTEGER, "amount",
                    "This value must be greater than or equal to 1."));
        }
        Currencies.checkAmount(amount, currency).ifPresent(error -> {
            throw new ApiException(error);
        });
        IdempotentRequest request = keyed(caller, params, http);
        // keyed: derived from the request, so a retried create lands on the stream of the first one
        String id = ids.forCreate(caller.accountId(), request.fingerprint());
        CreatePaymentIntent command = new CreatePaymentIntent(id, caller.accountId(), amount, currency,
                customer(params).orElse(null), params.string("description").orElse(null),
                metadata(params).orElse(null), params.stringList("payment_method_types").orElse(null),
                params.oneOf("capture_method", CAPTURE_METHODS).orElse(null),
                params.oneOf("confirmation_method", CONFIRMATION_METHODS).orElse(null),
                params.nonEmptyString("payment_method").orElse(null), returnUrl(params),
                params.bool("confirm").orElse(false));
        return idempotency.run(request, () -> StripeObjects.paymentIntent(
                service.create(caller.accountId(), id, command, audit(caller, http, request)), expansion));
    }

    @PublishableKeyAllowed
    @GetMapping("/{id}")
    public Map<String, Object> retrieve(Caller caller, Params params, @PathVariable String id) {
        requireWellFormed(id);
        params.allowOnly(Set.of("expand", "client_secret", "key", "as_of"));
        Expansion expansion = Expansion.forObject(params);
        Optional<Long> asOf = asOf(params);
        if (asOf.isPresent() && PublishableKeyAccess.isPublishable(caller)) {
            throw PublishableKeyAccess.secretKeyRequired(); // the past of an intent is for its owner's server
        }
        // a publishable key reaches an intent only with its client_secret (a secret key's is ignored)
        String clientSecret = PublishableKeyAccess.isPublishable(caller)
                ? PublishableKeyAccess.requiredClientSecret(params) : null;
        PaymentIntentView intent = (asOf.isPresent() ? service.findAsOf(caller.accountId(), id, asOf.get())
                : service.find(caller.accountId(), id))
                .orElseThrow(() -> new ApiException(ApiError.noSuchPaymentIntent(id)));
        if (clientSecret != null) {
            PublishableKeyAccess.checkClientSecret(clientSecret, intent);
        }
        return PublishableKeyAccess.as(caller, StripeObjects.paymentIntent(intent, expansion));
    }

    @PostMapping("/{id}")
    public ResponseEntity<Object> update(Caller caller, Params params, @PathVariable String id,
                                         HttpServletRequest http) {
        requireWellFormed(id);
        params.allowOnly(UPDATE_PARAMS);
        Expansion expansion = Expansion.forObject(params);
        Optional<Long> amount = params.positiveInteger("amount");
        Optional<String> currency = params.nonEmptyString("currency").map(c -> c.toLowerCase(Locale.ROOT));
        if (currency.isPresent() && !Currencies.isKnown(currency.get())) {
            throw new ApiException(Currencies.checkAmount(0, currency.get()).orElseThrow());
        }
        if (amount.isPresent() && currency.isPresent()) {
            Currencies.checkAmount(amount.get(), currency.get()).ifPresent(error -> {
                throw new ApiException(error);
            });
        }
        UpdatePaymentIntent command = new UpdatePaymentIntent(id, caller.accountId(), amount.orElse(null),
                currency.orElse(null), customer(params).orElse(null), params.string("description").orElse(null),
                metadata(params).orElse(null), params.isUnset("metadata"),
                params.nonEmptyString("payment_method").orElse(null),
                params.stringList("payment_method_types").orElse(null));
        IdempotentRequest request = keyed(caller, params, http);
        return idempotency.run(request, () -> StripeObjects.paymentIntent(
                service.execute(caller.accountId(), id, command, audit(caller, http, request)), expansion));
    }

    @PublishableKeyAllowed
    @PostMapping("/{id}/confirm")
    public ResponseEntity<Object> confirm(Caller caller, Params params, @PathVariable String id,
                                         HttpServletRequest http) {
        requireWellFormed(id);
        params.allowOnly(CONFIRM_PARAMS);
        Expansion expansion = Expansion.forObject(params);
        if (PublishableKeyAccess.isPublishable(caller)) {
            // checked before anything is sent or remembered: a wrong client_secret changes nothing
            String clientSecret = PublishableKeyAccess.requiredClientSecret(params);
            PublishableKeyAccess.checkClientSecret(clientSecret, service.find(caller.accountId(), id)
                    .orElseThrow(() -> new ApiException(ApiError.noSuchPaymentIntent(id))));
        }
        ConfirmPaymentIntent command = new ConfirmPaymentIntent(id, caller.accountId(),
                params.nonEmptyString("payment_method").orElse(null),
                returnUrl(params));
        IdempotentRequest request = keyed(caller, params, http);
        return idempotency.run(request, () -> PublishableKeyAccess.as(caller, StripeObjects.paymentIntent(
                service.execute(caller.accountId(), id, command, audit(caller, http, request)), expansion)));
    }

    @PostMapping("/{id}/cancel")
    public ResponseEntity<Object> cancel(Caller caller, Params params, @PathVariable String id,
                                         HttpServletRequest http) {
        requireWellFormed(id);
        params.allowOnly(CANCEL_PARAMS);
        Expansion expansion = Expansion.forObject(params);
        CancellationReason reason = params.nonEmptyString("cancellation_reason")
                .map(value -> CancellationReason.fromClientValue(value).orElseThrow(() -> new ApiException(
                        ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "cancellation_reason",
                                "Invalid cancellation_reason: must be one of duplicate, fraudulent, "
                                        + "requested_by_customer or abandoned"))))
                .orElse(null);
        CancelPaymentIntent command = new CancelPaymentIntent(id, caller.accountId(), reason);
        IdempotentRequest request = keyed(caller, params, http);
        return idempotency.run(request, () -> StripeObjects.paymentIntent(
                service.execute(caller.accountId(), id, command, audit(caller, http, request)), expansion));
    }

    @PostMapping("/{id}/capture")
    public ResponseEntity<Object> capture(Caller caller, Params params, @PathVariable String id,
                                         HttpServletRequest http) {
        requireWellFormed(id);
        params.allowOnly(CAPTURE_PARAMS);
        Expansion expansion = Expansion.forObject(params);
        CapturePaymentIntent command = new CapturePaymentIntent(id, caller.accountId(),
                params.positiveInteger("amount_to_capture").orElse(null));
        IdempotentRequest request = keyed(caller, params, http);
        return idempotency.run(request, () -> StripeObjects.paymentIntent(
                service.execute(caller.accountId(), id, command, audit(caller, http, request)), expansion));
    }

    @GetMapping
    public Map<String, Object> list(Caller caller, Params params) {
        params.allowOnly(LIST_PARAMS);
        Expansion expansion = Expansion.forList(params);
        int limit = params.pageLimit();
        Params.PageCursor pageCursor = params.pageCursor();
        Optional<String> startingAfter = pageCursor.startingAfter();
        Optional<String> endingBefore = pageCursor.endingBefore();
        PaymentIntentStatus status = params.nonEmptyString("status").map(value -> PaymentIntentStatus
                .fromWireName(value).orElseThrow(() -> new ApiException(ApiError.invalidRequest(
                        ErrorCodes.PARAMETER_INVALID_STRING, "status", "Invalid status: must be one of "
                                + String.join(", ", java.util.Arrays.stream(PaymentIntentStatus.values())
                                .map(PaymentIntentStatus::wireName).toList())))))
                .orElse(null);
        CreatedRange created = CreatedRange.from(params);
        String cursor = startingAfter.or(() -> endingBefore).orElse(null);
        PaymentIntentPage page = service.list(new ListPaymentIntents(caller.accountId(),
                customer(params).orElse(null), status, created.gt(), created.gte(), created.lt(), created.lte(),
                limit, startingAfter.orElse(null), endingBefore.orElse(null)));
        if (!page.cursorFound()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.RESOURCE_MISSING,
                    startingAfter.isPresent() ? "starting_after" : "ending_before",
                    "No such payment_intent: '" + cursor + "'").withStatus(404));
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        List<Map<String, Object>> data = page.data().stream()
                .map(intent -> StripeObjects.paymentIntent(intent, expansion)).toList();
        list.put("data", data);
        list.put("has_more", page.hasMore());
        list.put("url", "/v1/payment_intents");
        return list;
    }

    static IdempotentRequest keyed(Caller caller, Params params, HttpServletRequest http) {
        return IdempotentRequest.of(caller.accountId(), http.getHeader("Idempotency-Key"),
                "POST " + http.getRequestURI(), params.values(), PublishableKeyAccess.isPublishable(caller));
    }

    /** Who asked, and how: carried on the command to every event it causes (never the key itself). */
    static Map<String, Object> audit(Caller caller, HttpServletRequest http, IdempotentRequest request) {
        return audit(caller.accountId(), caller.keyId(), http, request);
    }

    /** @param keyId null for a request made without an API key (the hosted page's buttons) */
    static Map<String, Object> audit(String accountId, String keyId, HttpServletRequest http,
                                     IdempotentRequest request) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put(AuditMetadata.ACCOUNT_ID, accountId);
        if (keyId != null) {
            metadata.put(AuditMetadata.KEY_ID, keyId);
        }
        Object requestId = http.getAttribute(RequestIdFilter.ATTRIBUTE);
        if (requestId != null) {
            metadata.put(AuditMetadata.REQUEST_ID, requestId.toString());
        }
        if (request != null && request.key() != null) {
            metadata.put(AuditMetadata.IDEMPOTENCY_KEY, request.key());
            metadata.put(AuditMetadata.IDEMPOTENT_REQUEST, request.fingerprint());
        }
        metadata.put(AuditMetadata.CLIENT_IP, http.getRemoteAddr());
        String userAgent = http.getHeader("User-Agent");
        if (userAgent != null) {
            metadata.put(AuditMetadata.USER_AGENT, userAgent.length() > 300 ? userAgent.substring(0, 300) : userAgent);
        }
        return metadata;
    }

    /** {@code as_of}: unix seconds, the moment to show the intent at; empty is refused, not read as "now". */
    private static Optional<Long> asOf(Params params) {
        if (params.isUnset("as_of")) {
            params.nonEmptyString("as_of");
        }
        return params.integer("as_of");
    }

    /** {@code customer} (CasaPay, Stripe) and {@code customer_id} (LeanRails) are one field. */
    private static Optional<String> customer(Params params) {
        Optional<String> customer = params.string("customer");
        Optional<String> customerId = params.string("customer_id");
        if (customer.isPresent() && customerId.isPresent() && !customer.get().equals(customerId.get())) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "customer_id",
                    "customer and customer_id name the same field; pass one of them, or the same value in both."));
        }
        return customer.or(() -> customerId);
    }

    private static Optional<Map<String, String>> metadata(Params params) {
        Optional<Map<String, String>> metadata = params.stringMap("metadata");
        metadata.ifPresent(PaymentIntentController::checkMetadata);
        return metadata;
    }

    public static void checkMetadata(Map<String, String> metadata) {
        if (metadata.size() > 50) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "metadata",
                    "Invalid metadata: metadata can have at most 50 keys."));
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            String key = entry.getKey();
            if (key.isEmpty() || key.length() > 40 || key.contains("[") || key.contains("]")) {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING,
                        "metadata", "Invalid metadata key: keys must be 1 to 40 characters long and may not "
                                + "contain square brackets."));
            }
            if (entry.getValue().length() > 500) {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING,
                        "metadata[" + key + "]", "Invalid metadata value: values may be at most 500 characters long."));
            }
        }
    }

    static void requireWellFormed(String id) {
        if (!ID.matcher(id).matches()) {
            throw new ApiException(ApiError.noSuchPaymentIntent(id));
        }
    }

    private static <E> Map<String, E> ordered(Object... pairs) {
        Map<String, E> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            E value = (E) pairs[i + 1];
            map.put((String) pairs[i], value);
        }
        return map;
    }

    /**
     * {@code return_url}: where the hosted authentication page sends the customer's browser. It must be an absolute
     * URL of a scheme that opens a page or an app, as at Stripe; a {@code javascript:} or relative one is refused
     * here, before anything is stored, rather than found out when a customer is redirected.
     */
    static String returnUrl(Params params) {
        Optional<String> value = params.nonEmptyString("return_url");
        if (value.isPresent() && (value.get().length() > MAX_RETURN_URL_LENGTH
                || HostedAuthenticationPage.returnUrl(value.get()).isEmpty())) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.URL_INVALID, "return_url", "Not a valid URL"));
        }
        return value.orElse(null);
    }

    private static final int MAX_RETURN_URL_LENGTH = 2048;
}
