package io.paymentintents.gateway.webhooks;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.events.StripeEventTypes;
import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.gateway.PaymentIntentController;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.idempotency.IdempotentRequest;
import io.paymentintents.gateway.idempotency.IdempotentRequests;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code /v1/webhook_endpoints}: Stripe's webhook endpoints (create, retrieve, update, list, delete), and ours to
 * see and repeat deliveries. Secret keys only; every endpoint belongs to the caller's account, and another
 * account's is missing. Parameters are checked before anything is stored or an Idempotency-Key is claimed.
 */
@RestController
@RequestMapping(path = "/v1/webhook_endpoints", produces = "application/json")
public class WebhookEndpointController {

    private static final Pattern ID = Pattern.compile("we_[A-Za-z0-9_]{1,252}");
    private static final Pattern DELIVERY_ID = Pattern.compile("whdel_[A-Za-z0-9_]{1,250}");
    private static final Set<String> CREATE_PARAMS = Set.of("url", "enabled_events", "description", "metadata",
            "expand");
    private static final Set<String> UPDATE_PARAMS = Set.of("url", "enabled_events", "description", "metadata",
            "disabled", "expand");
    private static final Set<String> LIST_PARAMS = Set.of("limit", "starting_after", "ending_before", "expand");
    private static final Set<String> DELIVERY_LIST_PARAMS = Set.of("limit", "starting_after", "ending_before",
            "event", "expand");
    private static final int MAX_URL_LENGTH = 5000;
    private static final int MAX_DESCRIPTION_LENGTH = 5000;
    /** What enabled_events may hold: every type the service emits, or {@code *} for all of them. */
    private static final List<String> EVENT_CHOICES = choices();

    private final WebhookEndpoints endpoints;
    private final WebhookDeliveries deliveries;
    private final IdempotentRequests idempotency;
    private final ClientSecrets secrets;
    private final WebhookSender sender;

    public WebhookEndpointController(WebhookEndpoints endpoints, WebhookDeliveries deliveries,
                                     IdempotentRequests idempotency, ClientSecrets secrets, WebhookSender sender) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.idempotency = idempotency;
        this.secrets = secrets;
        this.sender = sender;
    }

    @PostMapping
    public ResponseEntity<Object> create(Caller caller, Params params, HttpServletRequest http) {
        params.allowOnly(CREATE_PARAMS);
        noExpansion(params);
        String url = url(params.requiredString("url"));
        List<String> enabledEvents = enabledEvents(params).orElseThrow(() -> new ApiException(ApiError
                .invalidRequest(ErrorCodes.PARAMETER_MISSING, "enabled_events",
                        "Missing required param: enabled_events.")));
        String description = description(params).orElse(null);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata(params).ifPresent(given -> given.forEach((key, value) -> {
            if (!value.isEmpty()) {
                metadata.put(key, value);
            }
        }));
        IdempotentRequest request = keyed(caller, params, http);
        String id = WebhookIds.endpoint(caller.accountId(), request.fingerprint());
        return idempotency.run(request, () -> WebhookObjects.endpoint(endpoints.create(id, caller.accountId(), url,
                enabledEvents, description, metadata), secrets.webhookSecret(id)));
    }

    @GetMapping("/{id}")
    public Map<String, Object> retrieve(Caller caller, Params params, @PathVariable String id) {
        requireWellFormed(id);
        params.allowOnly(Set.of("expand"));
        noExpansion(params);
        return WebhookObjects.endpoint(found(caller, id), null);
    }

    @PostMapping("/{id}")
    public ResponseEntity<Object> update(Caller caller, Params params, @PathVariable String id,
                                         HttpServletRequest http) {
        requireWellFormed(id);
        params.allowOnly(UPDATE_PARAMS);
        noExpansion(params);
        String url = params.nonEmptyString("url").map(WebhookEndpointController::url).orElse(null);
        if (params.isUnset("enabled_events")) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_EMPTY, "enabled_events",
                    "You passed an empty string for 'enabled_events'. We assume empty values are an attempt to "
                            + "unset a parameter; however 'enabled_events' cannot be unset. You should remove "
                            + "'enabled_events' from your request or supply a non-empty value."));
        }
        WebhookEndpoints.Changes changes = new WebhookEndpoints.Changes(url, enabledEvents(params).orElse(null),
                params.bool("disabled").orElse(null), params.has("description"), description(params).orElse(null),
                params.isUnset("metadata"), metadata(params).orElse(null));
        IdempotentRequest request = keyed(caller, params, http);
        return idempotency.run(request, () -> WebhookObjects.endpoint(endpoints.update(caller.accountId(), id,
                changes).orElseThrow(() -> new ApiException(noSuchEndpoint(id))), null));
    }

    @GetMapping
    public Map<String, Object> list(Caller caller, Params params) {
        params.allowOnly(LIST_PARAMS);
        noExpansion(params);
        int limit = params.pageLimit();
        Params.PageCursor pageCursor = params.pageCursor();
        Optional<String> startingAfter = pageCursor.startingAfter();
        Optional<String> endingBefore = pageCursor.endingBefore();
        WebhookEndpoints.Page page = endpoints.list(caller.accountId(), limit, startingAfter.orElse(null),
                endingBefore.orElse(null)).orElseThrow(() -> new ApiException(noSuchEndpoint(
                startingAfter.or(() -> endingBefore).orElseThrow())
                .withParam(startingAfter.isPresent() ? "starting_after" : "ending_before")));
        return WebhookObjects.list("/v1/webhook_endpoints",
                page.data().stream().map(endpoint -> WebhookObjects.endpoint(endpoint, null)).toList(),
                page.hasMore());
    }

    /** Deletes the endpoint and its deliveries; nothing more is sent to it, not even a delivery in progress again. */
    @DeleteMapping("/{id}")
    public Map<String, Object> delete(Caller caller, Params params, @PathVariable String id) {
        requireWellFormed(id);
        params.allowOnly(Set.of());
        if (!endpoints.delete(caller.accountId(), id)) {
            throw new ApiException(noSuchEndpoint(id));
        }
        return WebhookObjects.deleted(id);
    }

    /** The endpoint's deliveries, newest first, each with its attempts; {@code event} picks one event's. */
    @GetMapping("/{id}/deliveries")
    public Map<String, Object> deliveries(Caller caller, Params params, @PathVariable String id) {
        requireWellFormed(id);
        params.allowOnly(DELIVERY_LIST_PARAMS);
        noExpansion(params);
        int limit = params.pageLimit();
        Params.PageCursor pageCursor = params.pageCursor();
        Optional<String> startingAfter = pageCursor.startingAfter();
        Optional<String> endingBefore = pageCursor.endingBefore();
        String event = params.nonEmptyString("event").orElse(null);
        found(caller, id);
        WebhookDeliveries.Page page = deliveries.list(caller.accountId(), id, event, limit,
                startingAfter.orElse(null), endingBefore.orElse(null)).orElseThrow(() -> new ApiException(
                noSuchDelivery(startingAfter.or(() -> endingBefore).orElseThrow())
                        .withParam(startingAfter.isPresent() ? "starting_after" : "ending_before")));
        return WebhookObjects.list("/v1/webhook_endpoints/" + id + "/deliveries",
                page.data().stream().map(WebhookObjects::delivery).toList(), page.hasMore());
    }

    /**
     * Sends the delivery again, now, whatever became of it: a pending one is sent at once (its schedule goes on if
     * this attempt fails too), a succeeded or failed one once more (and retried on the schedule while the event is
     * younger than the schedule's maximum age). The sending happens in the background; the answer is the delivery,
     * due now.
     */
    @PostMapping("/{id}/deliveries/{deliveryId}/retry")
    public ResponseEntity<Object> retry(Caller caller, Params params, @PathVariable String id,
                                        @PathVariable String deliveryId, HttpServletRequest http) {
        requireWellFormed(id);
        if (!DELIVERY_ID.matcher(deliveryId).matches()) {
            throw new ApiException(noSuchDelivery(deliveryId));
        }
        params.allowOnly(Set.of("expand"));
        noExpansion(params);
        WebhookEndpoint endpoint = found(caller, id);
        if (!endpoint.enabled()) {
            throw new ApiException(ApiError.invalidRequest(null, null, "This webhook endpoint is disabled. Enable "
                    + "it (disabled=false) before you retry one of its deliveries."));
        }
        deliveries.find(caller.accountId(), id, deliveryId)
                  .orElseThrow(() -> new ApiException(noSuchDelivery(deliveryId)));
        IdempotentRequest request = keyed(caller, params, http);
        return idempotency.run(request, () -> {
            WebhookDelivery delivery = deliveries.retry(caller.accountId(), id, deliveryId)
                    .orElseThrow(() -> new ApiException(noSuchDelivery(deliveryId)));
            sender.wake();
            return WebhookObjects.delivery(delivery);
        });
    }

    private WebhookEndpoint found(Caller caller, String id) {
        return endpoints.find(caller.accountId(), id).orElseThrow(() -> new ApiException(noSuchEndpoint(id)));
    }

    private static IdempotentRequest keyed(Caller caller, Params params, HttpServletRequest http) {
        return IdempotentRequest.of(caller.accountId(), http.getHeader("Idempotency-Key"),
                "POST " + http.getRequestURI(), params.values(), false);
    }

    /**
     * An absolute http or https URL with a host, as a receiver must have. Credentials in the URL are refused (they
     * would be shown by every retrieve and list), and so is a fragment, which is never sent.
     */
    static String url(String value) {
        ApiException invalid = new ApiException(ApiError.invalidRequest(ErrorCodes.URL_INVALID, "url",
                "Invalid URL: " + shortened(value) + ". The URL must be an absolute http or https URL, without a "
                        + "user name, password or fragment."));
        if (value.length() > MAX_URL_LENGTH) {
            throw invalid;
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw invalid;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getHost().isEmpty()
                || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw invalid;
        }
        return value;
    }

    private static String shortened(String value) {
        return value.length() > 100 ? value.substring(0, 100) + "..." : value;
    }

    /** {@code enabled_events}: a non-empty array of known types or {@code *}, kept in order without repeats. */
    private static Optional<List<String>> enabledEvents(Params params) {
        Optional<List<String>> given = params.stringList("enabled_events");
        if (given.isEmpty()) {
            return Optional.empty();
        }
        if (given.get().isEmpty()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_MISSING, "enabled_events",
                    "Missing required param: enabled_events."));
        }
        List<String> types = new ArrayList<>(given.get());
        for (int i = 0; i < types.size(); i++) {
            if (!EVENT_CHOICES.contains(types.get(i))) {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING,
                        "enabled_events[" + i + "]", "Invalid enabled_events[" + i + "]: must be one of "
                                + String.join(", ", EVENT_CHOICES)));
            }
        }
        return Optional.of(List.copyOf(new LinkedHashSet<>(types)));
    }

    /** Given and not empty: the description; given empty: unset (the Optional is then empty). */
    private static Optional<String> description(Params params) {
        Optional<String> description = params.string("description");
        if (description.isPresent() && description.get().length() > MAX_DESCRIPTION_LENGTH) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "description",
                    "Invalid description: it may be at most " + MAX_DESCRIPTION_LENGTH + " characters long."));
        }
        return description.filter(text -> !text.isEmpty());
    }

    private static Optional<Map<String, String>> metadata(Params params) {
        Optional<Map<String, String>> metadata = params.stringMap("metadata");
        metadata.ifPresent(PaymentIntentController::checkMetadata);
        return metadata;
    }

    private static void noExpansion(Params params) {
        List<String> expand = params.stringList("expand").orElse(List.of());
        if (!expand.isEmpty()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "expand",
                    "This property cannot be expanded (" + expand.get(0) + ")."));
        }
    }

    private static void requireWellFormed(String id) {
        if (!ID.matcher(id).matches()) {
            throw new ApiException(noSuchEndpoint(id));
        }
    }

    private static ApiError noSuchEndpoint(String id) {
        return new ApiError(404, ApiError.INVALID_REQUEST, ErrorCodes.RESOURCE_MISSING, "id",
                "No such webhook endpoint: '" + id + "'", null, null, -1);
    }

    private static ApiError noSuchDelivery(String id) {
        return new ApiError(404, ApiError.INVALID_REQUEST, ErrorCodes.RESOURCE_MISSING, "delivery",
                "No such webhook delivery: '" + id + "'", null, null, -1);
    }

    private static List<String> choices() {
        List<String> choices = new ArrayList<>(StripeEventTypes.ALL);
        choices.add("*");
        return List.copyOf(choices);
    }
}
