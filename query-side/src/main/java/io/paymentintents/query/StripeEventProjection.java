package io.paymentintents.query;

import io.paymentintents.api.AuditMetadata;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.events.StripeEventRecord;
import io.paymentintents.api.events.StripeEventTypes;
import io.paymentintents.api.query.PaymentIntentView;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Projects every stored event that has a Stripe type into {@code stripe_events} ({@code GET /v1/events}): the
 * intent after the event and before it, each computed by {@link PaymentIntentFold} from this processor's own state.
 * Replayable: ids come from the stored events and positions from the event store, so a replay after
 * {@link #onReset()} writes the same rows again, and an event delivered twice is skipped by the version of the state.
 */
@Component
@ProcessingGroup(StripeEventProjection.PROCESSING_GROUP)
public class StripeEventProjection {

    public static final String PROCESSING_GROUP = "stripe-events";

    private final StripeEventTable table;
    private final PaymentIntentFold fold;

    public StripeEventProjection(StripeEventTable table, PaymentIntentFold fold) {
        this.table = table;
        this.fold = fold;
    }

    @EventHandler
    void on(PaymentIntentEvent event, EventMessage<?> message, @SequenceNumber long sequence, TrackingToken token) {
        long position = token.position().orElseThrow(() -> new IllegalStateException(
                "the stripe-events processor needs tokens with a position (a global index), not " + token));
        record(event, message.getIdentifier(), sequence, position, message.getTimestamp(), message.getMetaData());
    }

    /** Applies one stored event to the fold state and records its Stripe event, if it has one. */
    void record(PaymentIntentEvent event, String storedEventIdentifier, long sequence, long position,
                Instant storedAt, Map<String, ?> metadata) {
        PaymentIntentView before = table.state(event.paymentIntentId()).orElse(null);
        if (before != null && before.version() >= sequence) {
            return; // applied already: a redelivered batch
        }
        PaymentIntentView after = fold.apply(before, event, sequence);
        if (after == null) {
            return; // an event of an intent whose creation this processor never saw
        }
        table.saveState(after);
        Optional<String> type = StripeEventTypes.of(event);
        if (type.isPresent()) {
            table.insert(new StripeEventRecord(StripeEventTypes.eventId(storedEventIdentifier), after.accountId(),
                    type.get(), storedAt.getEpochSecond(), position, after.id(), sequence, after, before,
                    text(metadata.get(AuditMetadata.REQUEST_ID)), text(metadata.get(AuditMetadata.IDEMPOTENCY_KEY))));
        }
    }

    @ResetHandler
    void onReset() {
        table.deleteAll();
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
