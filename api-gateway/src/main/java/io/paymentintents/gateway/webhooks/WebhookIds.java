package io.paymentintents.gateway.webhooks;

import io.paymentintents.api.Identifiers;

import java.security.SecureRandom;

/**
 * Ids of endpoints ({@code we_}) and deliveries ({@code whdel_}), 24 base-62 characters each. A keyed create's
 * endpoint id is derived from the request, as a keyed intent's is, so a create retried after a crash finds the
 * endpoint (and the secret derived from its id) made the first time; a delivery's id is derived from its endpoint
 * and event, which are unique together.
 */
final class WebhookIds {

    private static final int LENGTH = 24;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookIds() {
    }

    /** @param keyedRequest the keyed request's fingerprint, or null for a create without an Idempotency-Key */
    static String endpoint(String accountId, String keyedRequest) {
        if (keyedRequest == null) {
            return "we_" + Identifiers.randomBase62(LENGTH, RANDOM);
        }
        return "we_" + Identifiers.base62(Identifiers.sha256("webhook_endpoint\n" + accountId + "\n" + keyedRequest),
                LENGTH);
    }

    static String delivery(String endpointId, String eventId) {
        return "whdel_" + Identifiers.base62(Identifiers.sha256(endpointId + "\n" + eventId), LENGTH);
    }
}
