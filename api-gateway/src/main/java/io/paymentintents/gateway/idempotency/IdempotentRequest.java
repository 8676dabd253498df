package io.paymentintents.gateway.idempotency;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.gateway.web.ApiException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A keyed request: its account, Idempotency-Key (null when none was sent), endpoint and a hash of its parsed
 * parameters. The hash is over a canonical form (keys sorted, every scalar as its string), so the same content sent
 * as JSON or as a form body hashes the same.
 */
public record IdempotentRequest(String accountId, String key, String endpoint, String parametersHash,
                                boolean publishableKey) {

    /** @param publishableKey whether a publishable key made the request: its stored answer is the reduced one */
    public static IdempotentRequest of(String accountId, String key, String endpoint, Map<String, Object> parameters,
                                       boolean publishableKey) {
        if (key != null && key.isEmpty()) {
            key = null;
        }
        if (key != null && key.length() > 255) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, null,
                    "Idempotency-Key is too long: keys may be at most 255 characters."));
        }
        return new IdempotentRequest(accountId, key, endpoint, sha256(canonical(parameters)), publishableKey);
    }

    /** The identity of this request for the write side: it recognises a retry by it (see AuditMetadata). */
    public String fingerprint() {
        return key == null ? null : sha256(accountId + "\n" + key + "\n" + endpoint + "\n" + parametersHash);
    }

    private static String canonical(Object value) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder text = new StringBuilder("{");
            new TreeMap<>(map).forEach((k, v) -> text.append(quote(k.toString())).append(':').append(canonical(v))
                    .append(','));
            return text.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder text = new StringBuilder("[");
            list.forEach(item -> text.append(canonical(item)).append(','));
            return text.append(']').toString();
        }
        return quote(value == null ? "" : value.toString());
    }

    private static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
