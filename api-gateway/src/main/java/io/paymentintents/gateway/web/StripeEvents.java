package io.paymentintents.gateway.web;

import io.paymentintents.api.events.StripeEventRecord;
import io.paymentintents.api.history.StoredEvent;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Renders the events read model as Stripe's event object, the same for {@code GET /v1/events} and for anything
 * else that shows an event (a webhook delivery), and the event store's entries as the audit trail shows them.
 */
public final class StripeEvents {

    /** The API version every event's {@code data.object} is rendered in: the one of our OpenAPI reference. */
    public static final String API_VERSION = "2023-08-16";

    private StripeEvents() {
    }

    public static Map<String, Object> event(StripeEventRecord e) {
        Map<String, Object> object = StripeObjects.paymentIntent(e.object());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("object", object);
        if (e.previous() != null) {
            data.put("previous_attributes", previousAttributes(StripeObjects.paymentIntent(e.previous()), object));
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", e.requestId());
        request.put("idempotency_key", e.idempotencyKey());

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("object", "event");
        m.put("api_version", API_VERSION);
        m.put("created", e.created());
        m.put("data", data);
        m.put("livemode", false);
        m.put("pending_webhooks", 0);
        m.put("request", request);
        m.put("type", e.type());
        return m;
    }

    /** The top-level fields whose rendered value the event changed, with their values before it. */
    static Map<String, Object> previousAttributes(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> previous = new LinkedHashMap<>();
        before.forEach((field, value) -> {
            if (!Objects.equals(value, after.get(field))) {
                previous.put(field, value);
            }
        });
        return previous;
    }

    /**
     * One entry of an intent's audit trail, or one line of an export: the stored event with its payload as stored
     * and its audit metadata, every field present (null when absent).
     *
     * @param payload the event's JSON, already parsed
     */
    public static Map<String, Object> storedEvent(StoredEvent e, Object payload) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("account", e.accountId());
        metadata.put("key_id", e.keyId());
        metadata.put("request_id", e.requestId());
        metadata.put("idempotency_key", e.idempotencyKey());
        metadata.put("client_ip", e.clientIp());
        metadata.put("user_agent", e.userAgent());

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "stored_event");
        m.put("payment_intent", e.paymentIntentId());
        m.put("sequence", e.sequence());
        m.put("type", e.type());
        m.put("stripe_type", e.stripeType());
        m.put("stripe_event", e.stripeEventId());
        m.put("created", e.storedAt().getEpochSecond());
        m.put("created_at", DateTimeFormatter.ISO_INSTANT.format(e.storedAt()));
        m.put("payload", payload);
        m.put("metadata", metadata);
        return m;
    }
}
