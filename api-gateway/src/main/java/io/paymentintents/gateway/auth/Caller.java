package io.paymentintents.gateway.auth;

/**
 * Who is calling: the account the key belongs to, an identifier of the key (never the key itself), and whether it
 * is a secret key (may do everything) or a publishable one.
 */
public record Caller(String accountId, String keyId, boolean secretKey) {
}
