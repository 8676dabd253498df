package io.paymentintents.gateway;


import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Chooses the id of a new intent. A keyed create's id is derived from the request (account, key, parameters), so a
 * retried create lands on the same event stream and the event store's uniqueness rejects the second creation,
 * whatever happened to the first response.
 */
public class PaymentIntentIds {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int LENGTH = 24;
    private final SecureRandom random = new SecureRandom();

    /** @param keyedRequest the keyed request's fingerprint, or null for a create sent without Idempotency-Key */
    public String forCreate(String accountId, String keyedRequest) {
        if (keyedRequest == null) {
            StringBuilder id = new StringBuilder("pi_");
            for (int i = 0; i < LENGTH; i++) {
                id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            return id.toString();
        }
        return "pi_" + base62(sha256(accountId + "\n" + keyedRequest)).substring(0, LENGTH);
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
