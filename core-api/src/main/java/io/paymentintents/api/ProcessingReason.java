package io.paymentintents.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Why an intent is {@code processing}: the payment method settles later (bank debits), or the processor could not
 * say what became of the attempt and is being asked again. Stored in events by its wire name.
 */
public enum ProcessingReason {
    /** An asynchronous method (direct debit, open banking): the bank answers in its own time. */
    @JsonProperty("settlement") SETTLEMENT,
    /** The processor's answer was lost (a timeout): the janitor re-queries it until it learns the truth. */
    @JsonProperty("outcome_unknown") OUTCOME_UNKNOWN
}
