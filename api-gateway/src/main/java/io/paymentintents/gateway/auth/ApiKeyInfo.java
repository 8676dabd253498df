package io.paymentintents.gateway.auth;

import java.time.Instant;

/**
 * What is known about an API key without the key: its id ({@code key_...}), account, kind, last four characters,
 * and its life (expiry after a roll, revocation).
 */
public record ApiKeyInfo(String id, String accountId, KeyKind kind, String last4, Instant createdAt,
                         Instant expiresAt, Instant revokedAt) {

    /** A key works until it is revoked or its expiry is reached (an expiry exactly now has been reached). */
    public boolean activeAt(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }

    /** {@code active}, {@code expiring} (rolled, still in its grace period), {@code expired} or {@code revoked}. */
    public String stateAt(Instant now) {
        if (revokedAt != null) {
            return "revoked";
        }
        if (expiresAt == null) {
            return "active";
        }
        return now.isBefore(expiresAt) ? "expiring" : "expired";
    }

    /** How a key is shown when the key itself may not be: its prefix and last four characters. */
    public String masked() {
        return kind.prefix() + "…" + last4;
    }
}
