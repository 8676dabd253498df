package io.paymentintents.api.query;

import io.paymentintents.api.CancellationReason;
import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.PaymentIntentStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An intent as the read model shows it. {@code version} is the sequence number of the last event applied, which is
 * what read-your-writes waits for.
 */
public record PaymentIntentView(String id, String accountId, long version, PaymentIntentStatus status, long amount,
                                String currency, long amountCapturable, long amountReceived, String customer,
                                String description, String paymentMethod, List<String> paymentMethodTypes,
                                CaptureMethod captureMethod, ConfirmationMethod confirmationMethod,
                                String clientSecret, String returnUrl, Map<String, String> metadata,
                                List<Charge> charges, PaymentError lastPaymentError,
                                CancellationReason cancellationReason, Instant canceledAt, Instant createdAt,
                                Instant updatedAt) {

    public String latestChargeId() {
        return charges.isEmpty() ? null : charges.get(charges.size() - 1).id();
    }
}
