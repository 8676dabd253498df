package io.paymentintents.command;

import java.security.SecureRandom;

/** Identifiers from a cryptographically strong source: a client secret is a bearer capability. */
public class RandomIdentifiers implements Identifiers {

    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private final SecureRandom random = new SecureRandom();

    @Override
    public String chargeId() {
        return "ch_" + randomString(24);
    }

    private String randomString(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }
}
