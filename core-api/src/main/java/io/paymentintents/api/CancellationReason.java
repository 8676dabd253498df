package io.paymentintents.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Optional;

/**
 * Why an intent was canceled. The first four may be given by a client; {@link #AUTOMATIC} is set only by the
 * service itself (an uncaptured hold that expired).
 */
public enum CancellationReason {
    @JsonProperty("duplicate") DUPLICATE,
    @JsonProperty("fraudulent") FRAUDULENT,
    @JsonProperty("requested_by_customer") REQUESTED_BY_CUSTOMER,
    @JsonProperty("abandoned") ABANDONED,
    @JsonProperty("automatic") AUTOMATIC;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Only the reasons a client may send; {@code automatic} is reserved for the service. */
    public static Optional<CancellationReason> fromClientValue(String value) {
        for (CancellationReason reason : values()) {
            if (reason != AUTOMATIC && reason.wireName().equals(value)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }
}
