package io.paymentintents.query;

import io.paymentintents.api.CancellationReason;
import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.query.PaymentIntentView;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A {@link PaymentIntentView} under construction, so that each step of a test states only what it changes. */
final class ExpectedView {

    String id;
    String accountId;
    long version;
    PaymentIntentStatus status;
    long amount;
    String currency;
    long amountCapturable;
    long amountReceived;
    String customer;
    String description;
    String paymentMethod;
    List<String> paymentMethodTypes;
    CaptureMethod captureMethod;
    ConfirmationMethod confirmationMethod;
    String clientSecret;
    String returnUrl;
    Map<String, String> metadata;
    List<Charge> charges;
    PaymentError lastPaymentError;
    CancellationReason cancellationReason;
    Instant canceledAt;
    Instant createdAt;
    Instant updatedAt;

    static ExpectedView of(PaymentIntentView v) {
        ExpectedView e = new ExpectedView();
        e.id = v.id();
        e.accountId = v.accountId();
        e.version = v.version();
        e.status = v.status();
        e.amount = v.amount();
        e.currency = v.currency();
        e.amountCapturable = v.amountCapturable();
        e.amountReceived = v.amountReceived();
        e.customer = v.customer();
        e.description = v.description();
        e.paymentMethod = v.paymentMethod();
        e.paymentMethodTypes = v.paymentMethodTypes();
        e.captureMethod = v.captureMethod();
        e.confirmationMethod = v.confirmationMethod();
        e.clientSecret = v.clientSecret();
        e.returnUrl = v.returnUrl();
        e.metadata = v.metadata();
        e.charges = v.charges();
        e.lastPaymentError = v.lastPaymentError();
        e.cancellationReason = v.cancellationReason();
        e.canceledAt = v.canceledAt();
        e.createdAt = v.createdAt();
        e.updatedAt = v.updatedAt();
        return e;
    }

    /** This view with some fields changed; the receiver is left as it is. */
    ExpectedView with(Consumer<ExpectedView> changes) {
        ExpectedView copy = of(build());
        changes.accept(copy);
        return copy;
    }

    PaymentIntentView build() {
        return new PaymentIntentView(id, accountId, version, status, amount, currency, amountCapturable,
                amountReceived, customer, description, paymentMethod, paymentMethodTypes, captureMethod,
                confirmationMethod, clientSecret, returnUrl, metadata, charges, lastPaymentError, cancellationReason,
                canceledAt, createdAt, updatedAt);
    }
}
