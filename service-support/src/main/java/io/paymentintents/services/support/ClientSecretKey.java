package io.paymentintents.services.support;

import io.paymentintents.api.secrets.ClientSecrets;

import java.util.Base64;

/**
 * Client secrets are an HMAC of the intent's id: the query side shows them, the gateway derives them again when it
 * replays a stored response. Services in separate processes (and containers) have no common data directory to keep a
 * generated key in, so the key must be configured, the same on each: PAYMENTS_CLIENT_SECRET_KEY.
 */
public final class ClientSecretKey {

    static final String MISSING = "PAYMENTS_CLIENT_SECRET_KEY is not set. The api-gateway and query-side services "
            + "derive every client_secret with this key and must share it: set the same base64 value of at least "
            + "32 bytes on both (e.g. the output of: openssl rand -base64 32)";

    private ClientSecretKey() {
    }

    /** The configured key (the value of {@code payments.client-secret-key}); refuses to start without one. */
    public static ClientSecrets required(String configured) {
        if (configured == null || configured.isBlank()) {
            throw new IllegalStateException(MISSING);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(configured.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("PAYMENTS_CLIENT_SECRET_KEY is not base64: " + e.getMessage());
        }
        return new ClientSecrets(key);
    }
}
