package io.paymentintents.gateway.auth;

import java.time.Instant;

/** An account: every PaymentIntent and every API key belongs to exactly one. */
public record Account(String id, String name, Instant createdAt) {
}
