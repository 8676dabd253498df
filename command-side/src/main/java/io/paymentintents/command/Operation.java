package io.paymentintents.command;

import io.paymentintents.api.PaymentIntentStatus;

import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;

import static io.paymentintents.api.PaymentIntentStatus.*;

/**
 * The status machine, declared once: which operation a client may perform in which status. The order of each list
 * is the order Stripe names the statuses in its error messages.
 */
enum Operation {
    CONFIRM("confirm", "confirmed",
            List.of(REQUIRES_PAYMENT_METHOD, REQUIRES_CONFIRMATION, REQUIRES_ACTION)),
    UPDATE("update", "updated",
            List.of(REQUIRES_PAYMENT_METHOD, REQUIRES_CONFIRMATION, REQUIRES_ACTION)),
    /** Metadata and description stay editable until the intent is closed. */
    UPDATE_DESCRIPTIVE_FIELDS("update", "updated",
            List.of(REQUIRES_PAYMENT_METHOD, REQUIRES_CONFIRMATION, REQUIRES_ACTION, PROCESSING, REQUIRES_CAPTURE,
                    SUCCEEDED)),
    CAPTURE("capture", "captured", List.of(REQUIRES_CAPTURE)),
    CANCEL("cancel", "canceled",
            List.of(REQUIRES_PAYMENT_METHOD, REQUIRES_CAPTURE, REQUIRES_CONFIRMATION, REQUIRES_ACTION)),
    /** Test helper: the customer answers the authentication the intent waits for. */
    AUTHENTICATE("authenticate", "authenticated", List.of(REQUIRES_ACTION)),
    /** Test helper: the processor's final answer for an intent whose outcome is open. */
    SETTLE("settle", "settled", List.of(PROCESSING));

    private final String verb;
    private final String participle;
    private final List<PaymentIntentStatus> allowedIn;
    private final EnumSet<PaymentIntentStatus> allowed;

    Operation(String verb, String participle, List<PaymentIntentStatus> allowedIn) {
        this.verb = verb;
        this.participle = participle;
        this.allowedIn = allowedIn;
        this.allowed = EnumSet.copyOf(allowedIn);
    }

    boolean isAllowedIn(PaymentIntentStatus status) {
        return allowed.contains(status);
    }

    String rejectionMessage(PaymentIntentStatus status) {
        return "You cannot " + verb + " this PaymentIntent because it has a status of " + status.wireName()
                + ". Only a PaymentIntent with one of the following statuses may be " + participle + ": "
                + allowedIn.stream().map(PaymentIntentStatus::wireName).collect(Collectors.joining(", ")) + ".";
    }
}
