package io.paymentintents.api;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/**
 * The text of every id and secret the service makes: base-62 characters, either random or derived from a digest.
 * Derived ids (a keyed intent's or endpoint's id, an event's {@code evt_} id, a delivery's id) and derived secrets
 * are stored or handed out, so this encoding must never change: {@code IdentifiersTest} pins it.
 */
public final class Identifiers {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final BigInteger BASE = BigInteger.valueOf(ALPHABET.length());

    private Identifiers() {
    }

    /** {@code length} base-62 digits of {@code bytes} read as an unsigned number, least significant first. */
    public static String base62(byte[] bytes, int length) {
        BigInteger value = new BigInteger(1, bytes);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            BigInteger[] division = value.divideAndRemainder(BASE);
            text.append(ALPHABET.charAt(division[1].intValue()));
            value = division[0];
        }
        return text.toString();
    }

    /** {@code length} random base-62 characters. */
    public static String randomBase62(int length, Random random) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
