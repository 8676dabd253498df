package io.paymentintents.query;

import io.paymentintents.api.Charge;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentAuthenticated;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.event.PaymentIntentPaymentFailed;
import io.paymentintents.api.event.PaymentIntentProcessing;
import io.paymentintents.api.event.PaymentIntentRequiresAction;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.event.PaymentIntentUpdated;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.api.secrets.ClientSecrets;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The read model's view of an intent as a pure function of its events: {@code view = fold(events)}. It states in
 * Java exactly what {@link PaymentIntentTable} does in SQL, so that what the API shows can be rebuilt from the event
 * store alone: an intent as it was at a moment ({@code as_of}), the object after each event (the events API), and
 * the check that a read model is what its events say. {@code PaymentIntentFoldTest} holds the two to each other.
 */
public final class PaymentIntentFold {

    private final ClientSecrets clientSecrets;

    public PaymentIntentFold(ClientSecrets clientSecrets) {
        this.clientSecrets = clientSecrets;
    }

    /** The view after all of {@code events} (sequence numbers 0, 1, 2, ...), or null for no events. */
    public PaymentIntentView fold(List<? extends PaymentIntentEvent> events) {
        PaymentIntentView view = null;
        for (int sequence = 0; sequence < events.size(); sequence++) {
            view = apply(view, events.get(sequence), sequence);
        }
        return view;
    }

    /**
     * The view after {@code event}, applied to {@code before} (null before the first event). Like the table, an
     * event at or below the view's version changes nothing.
     */
    public PaymentIntentView apply(PaymentIntentView before, PaymentIntentEvent event, long sequence) {
        if (event instanceof PaymentIntentCreated e) {
            if (before != null) {
                return before;
            }
            Instant at = stored(e.occurredAt());
            return new PaymentIntentView(e.paymentIntentId(), e.accountId(), sequence, e.status(), e.amount(),
                    e.currency(), 0, 0, e.customer(), e.description(), e.paymentMethod(), e.paymentMethodTypes(),
                    e.captureMethod(), e.confirmationMethod(), clientSecrets.of(e.paymentIntentId()), e.returnUrl(),
                    e.metadata(), List.of(), null, null, null, at, at);
        }
        if (before == null || before.version() >= sequence) {
            return before;
        }
        Builder b = new Builder(before, sequence, event.status(), stored(event.occurredAt()));
        if (event instanceof PaymentIntentUpdated e) {
            b.amount = e.amount();
            b.currency = e.currency();
            b.customer = e.customer();
            b.description = e.description();
            b.paymentMethod = e.paymentMethod();
            b.paymentMethodTypes = e.paymentMethodTypes();
            b.metadata = e.metadata();
            b.lastPaymentError = null;
        } else if (event instanceof PaymentIntentSucceeded e) {
            b.paymentMethod = e.paymentMethod();
            b.amountReceived = e.amountReceived();
            b.amountCapturable = 0;
            b.upsert(e.charge());
            b.lastPaymentError = null;
        } else if (event instanceof PaymentIntentAmountCapturableUpdated e) {
            b.paymentMethod = e.paymentMethod();
            b.amountCapturable = e.amountCapturable();
            b.upsert(e.charge());
            b.lastPaymentError = null;
        } else if (event instanceof PaymentIntentRequiresAction e) {
            b.paymentMethod = e.paymentMethod();
            b.returnUrl = e.returnUrl();
            b.lastPaymentError = null;
        } else if (event instanceof PaymentIntentAuthenticated e) {
            b.paymentMethod = e.paymentMethod();
        } else if (event instanceof PaymentIntentProcessing e) {
            b.paymentMethod = e.paymentMethod();
            b.lastPaymentError = null;
            b.upsert(e.charge());
        } else if (event instanceof PaymentIntentPaymentFailed e) {
            b.paymentMethod = null;
            b.lastPaymentError = e.error();
            if (e.charge() != null) {
                b.upsert(e.charge());
            }
        } else if (event instanceof PaymentIntentCaptured e) {
            b.amountReceived = e.amountCaptured(); // an intent is captured once
            b.amountCapturable = 0;
            b.replace(e.charge());
        } else if (event instanceof PaymentIntentCanceled e) {
            b.cancellationReason = e.cancellationReason();
            b.canceledAt = stored(e.occurredAt());
            b.amountCapturable = 0;
            if (e.charge() != null) {
                b.replace(e.charge());
            }
        } else {
            throw new IllegalArgumentException("unknown event " + event.getClass().getName());
        }
        return b.build();
    }

    /**
     * PostgreSQL keeps microseconds, and the JDBC driver rounds to them (half up) before it sends an instant: an
     * instant read back from the table is the nearest microsecond.
     */
    static Instant stored(Instant instant) {
        Instant truncated = instant.truncatedTo(ChronoUnit.MICROS);
        return instant.getNano() % 1000 >= 500 ? truncated.plus(1, ChronoUnit.MICROS) : truncated;
    }

    /** The fields of a view, changed one by one. */
    private static final class Builder {
        private final PaymentIntentView v;
        private final long version;
        private final PaymentIntentStatus status;
        private final Instant updatedAt;
        long amount;
        String currency;
        long amountCapturable;
        long amountReceived;
        String customer;
        String description;
        String paymentMethod;
        List<String> paymentMethodTypes;
        String returnUrl;
        java.util.Map<String, String> metadata;
        List<Charge> charges;
        io.paymentintents.api.PaymentError lastPaymentError;
        io.paymentintents.api.CancellationReason cancellationReason;
        Instant canceledAt;

        Builder(PaymentIntentView v, long version, PaymentIntentStatus status, Instant updatedAt) {
            this.v = v;
            this.version = version;
            this.status = status;
            this.updatedAt = updatedAt;
            amount = v.amount();
            currency = v.currency();
            amountCapturable = v.amountCapturable();
            amountReceived = v.amountReceived();
            customer = v.customer();
            description = v.description();
            paymentMethod = v.paymentMethod();
            paymentMethodTypes = v.paymentMethodTypes();
            returnUrl = v.returnUrl();
            metadata = v.metadata();
            charges = v.charges();
            lastPaymentError = v.lastPaymentError();
            cancellationReason = v.cancellationReason();
            canceledAt = v.canceledAt();
        }

        /** As the table's {@code UPSERT_CHARGE}: the charge with the same id is replaced in place, else appended. */
        void upsert(Charge charge) {
            if (charges.stream().anyMatch(c -> c.id().equals(charge.id()))) {
                replace(charge);
            } else {
                List<Charge> more = new ArrayList<>(charges);
                more.add(charge);
                charges = List.copyOf(more);
            }
        }

        /** As the table's {@code REPLACE_CHARGE}: only a charge with the same id is replaced. */
        void replace(Charge charge) {
            charges = charges.stream().map(c -> c.id().equals(charge.id()) ? charge : c).toList();
        }

        PaymentIntentView build() {
            return new PaymentIntentView(v.id(), v.accountId(), version, status, amount, currency, amountCapturable,
                    amountReceived, customer, description, paymentMethod, paymentMethodTypes, v.captureMethod(),
                    v.confirmationMethod(), v.clientSecret(), returnUrl, metadata, charges, lastPaymentError,
                    cancellationReason, canceledAt, v.createdAt(), updatedAt);
        }
    }
}
