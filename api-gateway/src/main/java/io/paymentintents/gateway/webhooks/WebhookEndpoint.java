package io.paymentintents.gateway.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A row of {@code webhook_endpoints}: where one account's events are sent, and which of them. */
public record WebhookEndpoint(String id, String accountId, String url, List<String> enabledEvents,
                              String description, Map<String, String> metadata, boolean enabled, Instant createdAt) {
}
