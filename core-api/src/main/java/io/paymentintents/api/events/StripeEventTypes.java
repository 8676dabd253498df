package io.paymentintents.api.events;

import io.paymentintents.api.Identifiers;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.event.PaymentIntentPaymentFailed;
import io.paymentintents.api.event.PaymentIntentProcessing;
import io.paymentintents.api.event.PaymentIntentRequiresAction;
import io.paymentintents.api.event.PaymentIntentSucceeded;

import java.util.List;
import java.util.Optional;

/**
 * How stored events appear to downstream consumers as Stripe events ({@code GET /v1/events}, webhooks). Our events
 * are finer than Stripe's: an update or a completed manual authentication has no Stripe event, and both an automatic
 * success and a capture are {@code payment_intent.succeeded}.
 */
public final class StripeEventTypes {

    public static final List<String> ALL = List.of("payment_intent.created", "payment_intent.requires_action",
            "payment_intent.processing", "payment_intent.amount_capturable_updated", "payment_intent.succeeded",
            "payment_intent.payment_failed", "payment_intent.canceled");

    private StripeEventTypes() {
    }

    /** The Stripe event type of a stored event, or empty when Stripe has none for it. */
    public static Optional<String> of(PaymentIntentEvent event) {
        if (event instanceof PaymentIntentCreated) {
            return Optional.of("payment_intent.created");
        }
        if (event instanceof PaymentIntentRequiresAction) {
            return Optional.of("payment_intent.requires_action");
        }
        if (event instanceof PaymentIntentProcessing) {
            return Optional.of("payment_intent.processing");
        }
        if (event instanceof PaymentIntentAmountCapturableUpdated) {
            return Optional.of("payment_intent.amount_capturable_updated");
        }
        if (event instanceof PaymentIntentSucceeded || event instanceof PaymentIntentCaptured) {
            return Optional.of("payment_intent.succeeded");
        }
        if (event instanceof PaymentIntentPaymentFailed) {
            return Optional.of("payment_intent.payment_failed");
        }
        if (event instanceof PaymentIntentCanceled) {
            return Optional.of("payment_intent.canceled");
        }
        return Optional.empty();
    }

    /**
     * The {@code evt_} id of the Stripe event derived from the stored event with this identifier (Axon's event
     * identifier, a UUID): the same on every replay, on every node, in the events API and in every webhook delivery.
     */
    public static String eventId(String storedEventIdentifier) {
        return "evt_" + Identifiers.base62(Identifiers.sha256(storedEventIdentifier), 24);
    }
}
