package io.paymentintents.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The eight statuses of the union of both seeds. Serialized by their wire names, so that stored events read the same
 * as the API and a renamed constant can never change the meaning of an event already written.
 */
public enum PaymentIntentStatus {
    @JsonProperty("requires_payment_method") REQUIRES_PAYMENT_METHOD,
    @JsonProperty("requires_confirmation") REQUIRES_CONFIRMATION,
    @JsonProperty("requires_action") REQUIRES_ACTION,
    @JsonProperty("processing") PROCESSING,
    @JsonProperty("requires_capture") REQUIRES_CAPTURE,
    @JsonProperty("succeeded") SUCCEEDED,
    @JsonProperty("canceled") CANCELED,
    @JsonProperty("failed") FAILED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static java.util.Optional<PaymentIntentStatus> fromWireName(String value) {
        for (PaymentIntentStatus status : values()) {
            if (status.wireName().equals(value)) {
                return java.util.Optional.of(status);
            }
        }
        return java.util.Optional.empty();
    }
}
