package io.paymentintents.api.secrets;

import io.paymentintents.api.Identifiers;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * An intent's client secret, {@code {id}_secret_{mac}}: an HMAC-SHA256 of the id under the service's key. Derived
 * whenever it is shown, never stored, so neither the event store nor the read model holds a usable secret; whoever
 * can read the database still cannot confirm a payment with a publishable key.
 */
public final class ClientSecrets {

    private final SecretKeySpec key;

    public ClientSecrets(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the client secret key needs at least 256 bits");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    public String of(String paymentIntentId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return paymentIntentId + "_secret_"
                    + Identifiers.base62(mac.doFinal(paymentIntentId.getBytes(StandardCharsets.UTF_8)), 25);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * The signing secret of a webhook endpoint, {@code whsec_} and 32 base-62 characters: derived from the endpoint's
     * id like a client secret, so that it is never stored and a copy of the database cannot forge a delivery. The
     * MAC input is marked as an endpoint's, so that no endpoint secret is ever some intent's client secret.
     */
    public String webhookSecret(String webhookEndpointId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return "whsec_" + Identifiers.base62(mac.doFinal(("webhook_endpoint\n" + webhookEndpointId)
                    .getBytes(StandardCharsets.UTF_8)), 32);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * The intent a genuine client secret belongs to, or empty: the id is read from the secret and the secret
     * recomputed, compared in constant time.
     */
    public java.util.Optional<String> paymentIntentOf(String clientSecret) {
        if (clientSecret == null) {
            return java.util.Optional.empty();
        }
        int separator = clientSecret.lastIndexOf("_secret_");
        if (separator <= 0) {
            return java.util.Optional.empty();
        }
        String id = clientSecret.substring(0, separator);
        boolean genuine = java.security.MessageDigest.isEqual(of(id).getBytes(StandardCharsets.UTF_8),
                clientSecret.getBytes(StandardCharsets.UTF_8));
        return genuine ? java.util.Optional.of(id) : java.util.Optional.empty();
    }
}
