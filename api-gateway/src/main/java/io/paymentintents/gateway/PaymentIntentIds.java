package io.paymentintents.gateway;

import io.paymentintents.api.Identifiers;

import java.security.SecureRandom;

/**
 * Chooses the id of a new intent. A keyed create's id is derived from the request (account, key, parameters), so a
 * retried create lands on the same event stream and the event store's uniqueness rejects the second creation,
 * whatever happened to the first response.
 */
public class PaymentIntentIds {

    private static final int LENGTH = 24;
    private final SecureRandom random = new SecureRandom();

    /** @param keyedRequest the keyed request's fingerprint, or null for a create sent without Idempotency-Key */
    public String forCreate(String accountId, String keyedRequest) {
        if (keyedRequest == null) {
            return "pi_" + Identifiers.randomBase62(LENGTH, random);
        }
        return "pi_" + Identifiers.base62(Identifiers.sha256(accountId + "\n" + keyedRequest), LENGTH);
    }
}
