package io.paymentintents.gateway.webhooks;

import io.paymentintents.api.events.StripeEventRecord;
import io.paymentintents.gateway.web.StripeObjects;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Stripe's event object, rendered from the events read model until the events API's own renderer is merged; the
 * delivery body must then come from that one renderer, so that it equals {@code GET /v1/events/{id}}.
 */
final class ProvisionalEventRenderer {

    private ProvisionalEventRenderer() {
    }

    static Map<String, Object> event(StripeEventRecord event) {
        Map<String, Object> object = StripeObjects.paymentIntent(event.object());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("object", object);
        if (event.previous() != null) {
            Map<String, Object> before = StripeObjects.paymentIntent(event.previous());
            Map<String, Object> previous = new LinkedHashMap<>();
            before.forEach((key, value) -> {
                if (!Objects.equals(value, object.get(key))) {
                    previous.put(key, value);
                }
            });
            data.put("previous_attributes", previous);
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", event.requestId());
        request.put("idempotency_key", event.idempotencyKey());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", event.id());
        m.put("object", "event");
        m.put("api_version", "2023-08-16");
        m.put("created", event.created());
        m.put("data", data);
        m.put("livemode", false);
        m.put("pending_webhooks", 0);
        m.put("request", request);
        m.put("type", event.type());
        return m;
    }
}
