package io.paymentintents.api.event;

import io.paymentintents.api.Charge;
import io.paymentintents.api.PaymentIntentStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * An authorized amount was captured, in full or in part; the rest of the hold is released and the intent is
 * {@code succeeded}. Both amounts are in minor units of {@code currency}: {@code amountCaptured} is what this capture
 * took (an intent is captured once, so it is also the intent's {@code amount_received}), {@code amountReleased} what
 * went back to the customer.
 *
 * <p>Revision 1 had one amount, {@code amountReceived}, which named the intent's field rather than the capture's, and
 * left the released part and the currency to be read out of the charge. The upcaster in {@code command-side}
 * ({@code PaymentIntentCapturedUpcaster}) reads revision 1 as this revision.
 */
@Revision("2")
public record PaymentIntentCaptured(String paymentIntentId, long amountCaptured, long amountReleased, String currency,
                                    Charge charge, PaymentIntentStatus status, Instant occurredAt)
        implements PaymentIntentEvent {
}
