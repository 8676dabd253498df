package io.paymentintents.api;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum CaptureMethod {
    @JsonProperty("automatic") AUTOMATIC,
    @JsonProperty("manual") MANUAL;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
