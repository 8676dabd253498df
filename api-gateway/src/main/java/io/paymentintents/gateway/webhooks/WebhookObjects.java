package io.paymentintents.gateway.webhooks;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders endpoints and deliveries as the API shows them. */
final class WebhookObjects {

    private WebhookObjects() {
    }

    /**
     * Stripe's {@code webhook_endpoint}. {@code secret} is given only to the answer of a create, as at Stripe; every
     * other answer leaves the field out.
     */
    static Map<String, Object> endpoint(WebhookEndpoint endpoint, String secret) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", endpoint.id());
        m.put("object", "webhook_endpoint");
        m.put("api_version", null); // events are rendered in the one version this service speaks
        m.put("application", null);
        m.put("created", endpoint.createdAt().getEpochSecond());
        m.put("description", endpoint.description());
        m.put("enabled_events", endpoint.enabledEvents());
        m.put("livemode", false);
        m.put("metadata", endpoint.metadata());
        if (secret != null) {
            m.put("secret", secret);
        }
        m.put("status", endpoint.enabled() ? "enabled" : "disabled");
        m.put("url", endpoint.url());
        return m;
    }

    static Map<String, Object> deleted(String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("object", "webhook_endpoint");
        m.put("deleted", true);
        return m;
    }

    /** Ours (Stripe shows deliveries only in its dashboard): one event's way to one endpoint, with its attempts. */
    static Map<String, Object> delivery(WebhookDelivery delivery) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", delivery.id());
        m.put("object", "webhook_delivery");
        m.put("attempt_count", delivery.attemptCount());
        m.put("attempts", delivery.attempts().stream().map(WebhookObjects::attempt).toList());
        m.put("created", delivery.createdAt().getEpochSecond());
        m.put("event", delivery.eventId());
        m.put("event_type", delivery.eventType());
        m.put("next_attempt", seconds(delivery.nextAttemptAt()));
        m.put("status", delivery.state());
        m.put("webhook_endpoint", delivery.endpointId());
        return m;
    }

    private static Map<String, Object> attempt(WebhookDelivery.Attempt attempt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attempt", attempt.number());
        m.put("created", attempt.attemptedAt().getEpochSecond());
        m.put("error", attempt.error());
        m.put("latency_ms", attempt.latencyMs());
        m.put("manual", attempt.manual());
        m.put("status_code", attempt.statusCode());
        return m;
    }

    static Map<String, Object> list(String url, List<Map<String, Object>> data, boolean hasMore) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        list.put("data", data);
        list.put("has_more", hasMore);
        list.put("url", url);
        return list;
    }

    private static Long seconds(Instant instant) {
        return instant == null ? null : instant.getEpochSecond();
    }
}
