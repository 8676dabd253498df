package io.paymentintents.api;

import java.util.List;

/**
 * The metadata keys every command carries from the HTTP request to the events it causes: who (account, key id, never
 * the key), which request (request id, idempotency key) and from where (client IP, user agent).
 */
public final class AuditMetadata {

    public static final String ACCOUNT_ID = "accountId";
    public static final String KEY_ID = "keyId";
    public static final String REQUEST_ID = "requestId";
    public static final String IDEMPOTENCY_KEY = "idempotencyKey";
    public static final String CLIENT_IP = "clientIp";
    public static final String USER_AGENT = "userAgent";

    /**
     * A digest of (account, Idempotency-Key, endpoint, parameters): the identity of a keyed request, by which the
     * write side recognises a retry of a request whose events it already stored.
     */
    public static final String IDEMPOTENT_REQUEST = "idempotentRequest";

    public static final List<String> KEYS = List.of(ACCOUNT_ID, KEY_ID, REQUEST_ID, IDEMPOTENCY_KEY, CLIENT_IP,
            USER_AGENT, IDEMPOTENT_REQUEST);

    private AuditMetadata() {
    }
}
