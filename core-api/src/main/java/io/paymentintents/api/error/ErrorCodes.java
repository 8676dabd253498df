package io.paymentintents.api.error;

/** The error codes this service answers with; all but the last group are Stripe's own. */
public final class ErrorCodes {

    public static final String PARAMETER_MISSING = "parameter_missing";
    public static final String PARAMETER_UNKNOWN = "parameter_unknown";
    public static final String PARAMETER_INVALID_INTEGER = "parameter_invalid_integer";
    public static final String PARAMETER_INVALID_STRING = "parameter_invalid_string";
    public static final String PARAMETER_INVALID_EMPTY = "parameter_invalid_empty";
    public static final String PARAMETER_INVALID_BOOLEAN = "parameter_invalid_boolean";
    public static final String INVALID_CURRENCY = "invalid_currency";
    public static final String AMOUNT_TOO_SMALL = "amount_too_small";
    public static final String AMOUNT_TOO_LARGE = "amount_too_large";
    public static final String RESOURCE_MISSING = "resource_missing";
    public static final String URL_INVALID = "url_invalid";
    public static final String PAYMENT_INTENT_UNEXPECTED_STATE = "payment_intent_unexpected_state";
    public static final String PAYMENT_INTENT_INCOMPATIBLE_PAYMENT_METHOD = "payment_intent_incompatible_payment_method";
    public static final String PAYMENT_INTENT_INVALID_PARAMETER = "payment_intent_invalid_parameter";
    public static final String PAYMENT_INTENT_AUTHENTICATION_FAILURE = "payment_intent_authentication_failure";
    public static final String LOCK_TIMEOUT = "lock_timeout";
    public static final String IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use";
    public static final String PARAMETERS_EXCLUSIVE = "parameters_exclusive";

    /** Ours, for bodies Stripe would never receive (it takes no JSON). */
    public static final String INVALID_JSON = "invalid_json";
    public static final String INVALID_REQUEST_BODY = "invalid_request_body";
    public static final String REQUEST_TOO_LARGE = "request_too_large";

    private ErrorCodes() {
    }
}
