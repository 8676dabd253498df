package io.paymentintents.query;

import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentAuthenticated;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentProcessing;
import io.paymentintents.api.event.PaymentIntentRequiresAction;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.event.PaymentIntentPaymentFailed;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.event.PaymentIntentUpdated;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Events and charges as the command side produces them, with plain defaults where a test does not care. */
final class TestEvents {

    private TestEvents() {
    }

    static PaymentIntentCreated created(String id, String accountId, Instant at) {
        return created(id, accountId, null, at);
    }

    static PaymentIntentCreated created(String id, String accountId, String customer, Instant at) {
        return new PaymentIntentCreated(id, accountId, 2000, "usd", customer, null, Map.of(), List.of("card"),
                CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC, null, null,
                PaymentIntentStatus.REQUIRES_PAYMENT_METHOD, at);
    }

    /** An authorized charge: the money is held, nothing is captured yet. */
    static Charge authorizedCharge(String id, long amount, String paymentMethod, Instant at) {
        return new Charge(id, amount, 0, 0, "usd", false, "succeeded", paymentMethod, "card", null, null, null,
                "authorized", "Payment complete.", at);
    }

    /** A charge that moved the money at once (automatic capture). */
    static Charge capturedCharge(String id, long amount, String paymentMethod, Instant at) {
        return new Charge(id, amount, amount, 0, "usd", true, "succeeded", paymentMethod, "card", null, null, null,
                "authorized", "Payment complete.", at);
    }

    static Charge declinedCharge(String id, long amount, String paymentMethod, Instant at) {
        return new Charge(id, amount, 0, 0, "usd", false, "failed", paymentMethod, "card", "card_declined",
                "Your card was declined.", "generic_decline", "issuer_declined",
                "The bank did not return any further details with this decline.", at);
    }

    static PaymentError declined(String paymentMethod, String chargeId) {
        return new PaymentError("card_error", "card_declined", "generic_decline", "Your card was declined.",
                paymentMethod, "card", chargeId);
    }

    /** Hands an event to the projection's handler for its type, as Axon would. */
    static void deliver(PaymentIntentProjection projection, PaymentIntentEvent event, long sequence) {
        if (event instanceof PaymentIntentCreated e) {
            projection.on(e, sequence);
        } else if (event instanceof PaymentIntentUpdated e) {
            projection.on(e, sequence);
        } else if (event instanceof PaymentIntentSucceeded e) {
            projection.on(e, sequence);
        } else if (event instanceof PaymentIntentAmountCapturableUpdated e) {
            projection.on(e, sequence);
        } else if (event instanceof PaymentIntentPaymentFailed e) {
            projection.on(e, sequence);
        } else if (event instanceof PaymentIntentCaptured e) {
            projection.on(e, sequence);
        } else if (event instanceof PaymentIntentCanceled e) {
            projection.on(e, sequence);
        } else if (event instanceof PaymentIntentRequiresAction e) {
            projection.on(e, sequence);
        } else if (event instanceof PaymentIntentAuthenticated e) {
            projection.on(e, sequence);
        } else if (event instanceof PaymentIntentProcessing e) {
            projection.on(e, sequence);
        } else {
            throw new IllegalArgumentException("unknown event " + event);
        }
    }

    /** Delivers a stream whose sequence numbers are the positions in the list. */
    static void deliverAll(PaymentIntentProjection projection, List<? extends PaymentIntentEvent> stream) {
        for (int sequence = 0; sequence < stream.size(); sequence++) {
            deliver(projection, stream.get(sequence), sequence);
        }
    }

    /** Writes an event straight to the table and answers whether the table says it changed a row. */
    static boolean write(PaymentIntentTable table, PaymentIntentEvent event, long sequence) {
        if (event instanceof PaymentIntentCreated e) {
            return table.insert(e, sequence);
        } else if (event instanceof PaymentIntentUpdated e) {
            return table.apply(e, sequence);
        } else if (event instanceof PaymentIntentSucceeded e) {
            return table.apply(e, sequence);
        } else if (event instanceof PaymentIntentAmountCapturableUpdated e) {
            return table.apply(e, sequence);
        } else if (event instanceof PaymentIntentPaymentFailed e) {
            return table.apply(e, sequence);
        } else if (event instanceof PaymentIntentCaptured e) {
            return table.apply(e, sequence);
        } else if (event instanceof PaymentIntentCanceled e) {
            return table.apply(e, sequence);
        } else if (event instanceof PaymentIntentRequiresAction e) {
            return table.apply(e, sequence);
        } else if (event instanceof PaymentIntentAuthenticated e) {
            return table.apply(e, sequence);
        } else if (event instanceof PaymentIntentProcessing e) {
            return table.apply(e, sequence);
        }
        throw new IllegalArgumentException("unknown event " + event);
    }
}
