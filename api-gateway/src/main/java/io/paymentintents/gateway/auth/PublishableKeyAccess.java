package io.paymentintents.gateway.auth;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a publishable key may see and do, as with Stripe: an intent is reached only with its client_secret, and is
 * shown reduced to the fields Stripe returns to a publishable key (no metadata, no customer, no charges, no amounts
 * received or capturable).
 */
public final class PublishableKeyAccess {

    /** Stripe's publishable-key view of a PaymentIntent, in Stripe's order. */
    static final List<String> FIELDS = List.of("id", "object", "amount", "amount_details", "canceled_at",
            "cancellation_reason", "capture_method", "client_secret", "confirmation_method", "created", "currency",
            "description", "last_payment_error", "livemode", "next_action", "payment_method", "payment_method_types",
            "status");

    static final String MISMATCH = "The client_secret provided does not match the client_secret associated with the "
            + "PaymentIntent.";

    private PublishableKeyAccess() {
    }

    public static boolean isPublishable(Caller caller) {
        return !caller.secretKey();
    }

    /**
     * The refusal a publishable key gets on a secret-key endpoint, for a parameter only secret keys may use on an
     * endpoint publishable keys may call ({@code as_of} on retrieve).
     */
    public static ApiException secretKeyRequired() {
        return new ApiException(new ApiError(403, ApiError.INVALID_REQUEST,
                AuthenticationInterceptor.SECRET_KEY_REQUIRED, null, AuthenticationInterceptor.PUBLISHABLE_KEY_REFUSED,
                null, null, -1));
    }

    /** The client_secret a publishable key must send: 400 {@code parameter_missing} without it. */
    public static String requiredClientSecret(Params params) {
        return params.requiredString("client_secret");
    }

    /**
     * 400 unless the presented client_secret is the intent's, compared in constant time (a timing difference must
     * not tell how much of a guess was right).
     */
    public static void checkClientSecret(String presented, PaymentIntentView intent) {
        byte[] expected = intent.clientSecret().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PAYMENT_INTENT_INVALID_PARAMETER,
                    "client_secret", MISMATCH));
        }
    }

    /** The intent as this caller may see it: whole for a secret key, {@link #reduced} for a publishable one. */
    public static Map<String, Object> as(Caller caller, Map<String, Object> paymentIntent) {
        return isPublishable(caller) ? reduced(paymentIntent) : paymentIntent;
    }

    /** The intent as a publishable key sees it: only {@link #FIELDS}, of those the full object has. */
    public static Map<String, Object> reduced(Map<String, Object> paymentIntent) {
        Map<String, Object> reduced = new LinkedHashMap<>();
        for (String field : FIELDS) {
            if (paymentIntent.containsKey(field)) {
                reduced.put(field, paymentIntent.get(field));
            }
        }
        return reduced;
    }

    /** An error envelope for a publishable key: an embedded {@code error.payment_intent} is reduced too. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> reducedError(Map<String, Object> envelope) {
        if (envelope.get("error") instanceof Map<?, ?> error && error.get("payment_intent") instanceof Map<?, ?> intent) {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) error);
            copy.put("payment_intent", reduced((Map<String, Object>) intent));
            return Map.of("error", copy);
        }
        return envelope;
    }
}
