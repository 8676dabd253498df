package io.paymentintents.api.error;

/**
 * A rejection in Stripe's error vocabulary. It travels as the details of a {@code CommandExecutionException}, so it
 * keeps its meaning when the command side runs in another process and the exception's own type is lost on the wire.
 *
 * @param status            the HTTP status the gateway answers with
 * @param paymentIntentId   the intent the error is about, so the gateway can embed it in {@code error.payment_intent}
 * @param paymentIntentVersion the aggregate version at the time of the rejection (-1 when unknown), so that the
 *                          embedded intent is read no older than the state that was rejected
 */
public record ApiError(int status, String type, String code, String param, String message, String declineCode,
                       String paymentIntentId, long paymentIntentVersion) {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String CARD_ERROR = "card_error";
    public static final String API_ERROR = "api_error";
    public static final String IDEMPOTENCY_ERROR = "idempotency_error";

    public static ApiError invalidRequest(String code, String param, String message) {
        return new ApiError(400, INVALID_REQUEST, code, param, message, null, null, -1);
    }

    public static ApiError unexpectedState(String message, String paymentIntentId, long version) {
        return new ApiError(400, INVALID_REQUEST, ErrorCodes.PAYMENT_INTENT_UNEXPECTED_STATE, null, message, null,
                paymentIntentId, version);
    }

    public static ApiError noSuchPaymentIntent(String id) {
        return new ApiError(404, INVALID_REQUEST, ErrorCodes.RESOURCE_MISSING, "intent",
                "No such payment_intent: '" + id + "'", null, null, -1);
    }

    /** Other writes to the same intent kept winning: Stripe's answer to a request that may simply be retried. */
    public static ApiError lockTimeout() {
        return new ApiError(429, INVALID_REQUEST, ErrorCodes.LOCK_TIMEOUT, null,
                "This object cannot be accessed right now because another API request or Stripe process is "
                        + "currently accessing it. If you see this error intermittently, retry the request.",
                null, null, -1);
    }

    /**
     * A part of the service that the request needs is not running (no command or query handler is connected to Axon
     * Server): nothing was done, and the same request may be retried.
     */
    public static ApiError serviceUnavailable() {
        return new ApiError(503, API_ERROR, null, null, "The service cannot handle this request right now. Nothing "
                + "was changed; retry the request in a little while.", null, null, -1);
    }

    /** The same error, about a given intent at a given version (embedded as {@code error.payment_intent}). */
    public ApiError about(String intentId, long version) {
        return new ApiError(status, type, code, param, message, declineCode, intentId, version);
    }

    public ApiError withStatus(int newStatus) {
        return new ApiError(newStatus, type, code, param, message, declineCode, paymentIntentId, paymentIntentVersion);
    }

    public ApiError withParam(String newParam) {
        return new ApiError(status, type, code, newParam, message, declineCode, paymentIntentId, paymentIntentVersion);
    }
}
