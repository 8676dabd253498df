package io.paymentintents.gateway.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.gateway.auth.PublishableKeyAccess;
import io.paymentintents.gateway.web.ApiException;
import io.paymentintents.gateway.web.StripeObjects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Stripe's Idempotency-Key semantics around one POST: the first response (status and body, errors and 500s
 * included) is stored once execution starts and replayed, with {@code Idempotent-Replayed: true}, to every retry
 * with the same parameters. Requests rejected before execution (authentication, validation, rate limits) never get
 * here, so they are not stored.
 */
public class IdempotentRequests {

    private static final Logger log = LoggerFactory.getLogger(IdempotentRequests.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IdempotencyStore store;
    private final Clock clock;
    private final Duration retention;
    private final FaultInjection faults;
    private final ClientSecrets clientSecrets;

    public IdempotentRequests(IdempotencyStore store, Clock clock, Duration retention, FaultInjection faults,
                              ClientSecrets clientSecrets) {
        this.store = store;
        this.clock = clock;
        this.retention = retention;
        this.faults = faults;
        this.clientSecrets = clientSecrets;
    }

    /** Runs {@code execution} at most once per (account, key); without a key it just runs it. */
    public ResponseEntity<Object> run(IdempotentRequest request, Supplier<Map<String, Object>> execution) {
        if (request.key() == null) {
            return ResponseEntity.ok(execution.get());
        }
        IdempotencyStore.Claim claim = store.claim(request.accountId(), request.key(), request.endpoint(),
                request.parametersHash());
        if (claim instanceof IdempotencyStore.Replay replay) {
            ResponseEntity.BodyBuilder replayed = ResponseEntity.status(replay.status())
                    .contentType(MediaType.APPLICATION_JSON).header("Idempotent-Replayed", "true");
            if (replay.status() >= 500) {
                replayed.header("Stripe-Should-Retry", "true"); // as the first answer said
            }
            return replayed.body(withClientSecrets(parse(replay.body())));
        }
        if (claim instanceof IdempotencyStore.Mismatch) {
            throw new ApiException(new ApiError(400, ApiError.IDEMPOTENCY_ERROR, null, null, "Keys for idempotent "
                    + "requests can only be used with the same parameters they were first used with. Try using a key "
                    + "other than '" + request.key() + "' if you meant to execute a different request.", null, null,
                    -1));
        }
        if (claim instanceof IdempotencyStore.InProgress) {
            throw new ApiException(new ApiError(409, ApiError.INVALID_REQUEST, ErrorCodes.IDEMPOTENCY_KEY_IN_USE,
                    null, "There is currently another in-progress request using this Idempotency-Key. Please try "
                    + "again later.", null, null, -1));
        }
        Map<String, Object> body;
        try {
            body = execution.get();
        } catch (ApiException e) {
            if (e.error().status() == 429 || e.error().status() == 503) {
                store.release(request.accountId(), request.key()); // nothing happened: the retry starts afresh
            } else {
                Map<String, Object> error = StripeObjects.error(e.error(), e.paymentIntent());
                // stored exactly as answered: a publishable key saw the embedded intent reduced
                complete(request, e.error().status(),
                        request.publishableKey() ? PublishableKeyAccess.reducedError(error) : error);
            }
            throw e;
        } catch (RuntimeException e) {
            log.error("unexpected failure of {} (Idempotency-Key given)", request.endpoint(), e);
            ApiError error = new ApiError(500, ApiError.API_ERROR, null, null,
                    "An unexpected error occurred on our side.", null, null, -1);
            complete(request, 500, StripeObjects.error(error, null));
            throw new ApiException(error);
        }
        complete(request, 200, body);
        return ResponseEntity.ok(body);
    }

    private void complete(IdempotentRequest request, int status, Map<String, Object> body) {
        faults.beforeStoringResponse(request.key());
        try {
            store.complete(request.accountId(), request.key(), status,
                    JSON.writeValueAsString(withoutClientSecrets(body)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a response body that cannot be serialized", e);
        }
    }

    /** Deletes keys older than the retention period (at least 24 hours, as Stripe keeps them). */
    public int prune() {
        return store.prune(clock.instant().minus(retention));
    }

    /**
     * A stored response keeps no client secret (it is a capability, and must not sit in a database column): each is
     * replaced by a marker, and derived again from the intent's id when the response is replayed. A webhook
     * endpoint's signing secret, shown by its create, is kept out and derived again the same way. The intent's
     * {@code next_action} links to the hosted page with the secret in its URL, so the secret is cut out of it too.
     */
    private static Object withoutClientSecrets(Object value) {
        if (value instanceof Map<?, ?> map) {
            Object secret = map.get("client_secret");
            boolean webhookEndpoint = "webhook_endpoint".equals(map.get("object"));
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k.toString(), ("client_secret".equals(k)
                    || webhookEndpoint && "secret".equals(k)) && v instanceof String
                    ? DERIVED
                    : "next_action".equals(k) && secret instanceof String s && !s.isEmpty()
                    ? replaced(v, s, IN_TEXT) : withoutClientSecrets(v)));
            return copy;
        }
        if (value instanceof java.util.List<?> list) {
            return list.stream().map(IdempotentRequests::withoutClientSecrets).toList();
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private Object withClientSecrets(Object value) {
        if (value instanceof Map<?, ?> map) {
            Object id = map.get("id");
            boolean webhookEndpoint = "webhook_endpoint".equals(map.get("object"));
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> copy.put(k, DERIVED.equals(v) && id != null
                    ? webhookEndpoint ? clientSecrets.webhookSecret(id.toString()) : clientSecrets.of(id.toString())
                    : "next_action".equals(k) && id != null && map.get("client_secret") != null
                    ? replaced(v, IN_TEXT, clientSecrets.of(id.toString())) : withClientSecrets(v)));
            return copy;
        }
        if (value instanceof java.util.List<?> list) {
            return list.stream().map(this::withClientSecrets).toList();
        }
        return value;
    }

    /** Every occurrence of {@code text} in the strings of {@code value}, replaced. */
    private static Object replaced(Object value, String text, String replacement) {
        if (value instanceof String s) {
            return s.replace(text, replacement);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k.toString(), replaced(v, text, replacement)));
            return copy;
        }
        if (value instanceof java.util.List<?> list) {
            return list.stream().map(item -> replaced(item, text, replacement)).toList();
        }
        return value;
    }

    private static final String DERIVED = "[derived from the intent id]";
    /** Where the secret stood inside a string (the hosted page's URL). */
    private static final String IN_TEXT = "{client_secret}";

    private static Object parse(String body) {
        try {
            return JSON.readValue(body, LinkedHashMap.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored response that is not JSON", e);
        }
    }
}
