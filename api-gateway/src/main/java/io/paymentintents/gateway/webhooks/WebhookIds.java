package io.paymentintents.gateway.webhooks;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Ids of endpoints ({@code we_}) and deliveries ({@code whdel_}), 24 base-62 characters each. A keyed create's
 * endpoint id is derived from the request, as a keyed intent's is, so a create retried after a crash finds the
 * endpoint (and the secret derived from its id) made the first time; a delivery's id is derived from its endpoint
 * and event, which are unique together.
 */
final class WebhookIds {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int LENGTH = 24;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookIds() {
    }

    /** @param keyedRequest the keyed request's fingerprint, or null for a create without an Idempotency-Key */
    static String endpoint(String accountId, String keyedRequest) {
        if (keyedRequest == null) {
            StringBuilder id = new StringBuilder("we_");
            for (int i = 0; i < LENGTH; i++) {
                id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
            }
            return id.toString();
        }
        return "we_" + base62(sha256("webhook_endpoint\n" + accountId + "\n" + keyedRequest));
    }

    static String delivery(String endpointId, String eventId) {
        return "whdel_" + base62(sha256(endpointId + "\n" + eventId));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String base62(byte[] bytes) {
        BigInteger value = new BigInteger(1, bytes);
        BigInteger base = BigInteger.valueOf(ALPHABET.length());
        StringBuilder text = new StringBuilder();
        while (text.length() < LENGTH) {
            BigInteger[] division = value.divideAndRemainder(base);
            text.append(ALPHABET.charAt(division[1].intValue()));
            value = division[0];
        }
        return text.toString();
    }
}
