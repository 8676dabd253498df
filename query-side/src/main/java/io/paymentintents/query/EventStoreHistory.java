package io.paymentintents.query;

import io.paymentintents.api.AuditMetadata;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.events.StripeEventTypes;
import io.paymentintents.api.history.ExportStoredEvents;
import io.paymentintents.api.history.FindPaymentIntentAsOf;
import io.paymentintents.api.history.FindPaymentIntentHistory;
import io.paymentintents.api.history.StoredEvent;
import io.paymentintents.api.query.PaymentIntentView;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Answers from the event store itself, not from a read model: an intent's audit trail, the intent as it was at a
 * moment, and an account's events over a time range. Works wherever the query side can reach the event store,
 * also when the gateway runs in another process.
 *
 * <p>Streams are read from sequence 0 ({@code readEvents(id, 0)}): {@code readEvents(id)} would start at the
 * aggregate's latest snapshot and leave out the events before it.
 */
@Component
public class EventStoreHistory {

    /**
     * An event's store timestamp is taken when it is applied, before the transaction that appends it commits, so
     * store order and timestamps disagree by at most a transaction's length (connections cut statements at 10 s and
     * idle transactions at 15 s). An export reads this far past its range before it stops.
     */
    static final Duration TIMESTAMP_SKEW = Duration.ofSeconds(60);
    /** Distinct intents whose account an export remembers before it forgets the oldest. */
    private static final int ACCOUNT_CACHE_SIZE = 10_000;

    private final EventStore eventStore;
    private final Serializer serializer;
    private final PaymentIntentFold fold;

    public EventStoreHistory(EventStore eventStore, @Qualifier("eventSerializer") Serializer serializer,
                             PaymentIntentFold fold) {
        this.eventStore = eventStore;
        this.serializer = serializer;
        this.fold = fold;
    }

    @QueryHandler
    public Flux<StoredEvent> history(FindPaymentIntentHistory query) {
        return Flux.defer(() -> {
            DomainEventStream stream = eventStore.readEvents(query.paymentIntentId(), 0L);
            if (!stream.hasNext() || !belongsTo(stream.peek(), query.accountId())) {
                return Flux.empty();
            }
            return Flux.<DomainEventMessage<?>>fromIterable(() -> stream).map(this::stored);
        });
    }

    @QueryHandler
    public Optional<PaymentIntentView> asOf(FindPaymentIntentAsOf query) {
        DomainEventStream stream = eventStore.readEvents(query.paymentIntentId(), 0L);
        if (!stream.hasNext() || !belongsTo(stream.peek(), query.accountId())) {
            return Optional.empty();
        }
        PaymentIntentView view = null;
        while (stream.hasNext()) {
            DomainEventMessage<?> message = stream.next();
            // the time the change happened, as the object's own created and updated_at show it
            if (!(message.getPayload() instanceof PaymentIntentEvent event)
                    || event.occurredAt().getEpochSecond() > query.asOf()) {
                break;
            }
            view = fold.apply(view, event, message.getSequenceNumber());
        }
        return Optional.ofNullable(view);
    }

    @QueryHandler
    public Flux<StoredEvent> export(ExportStoredEvents query) {
        return Flux.using(() -> new Export(query), export -> Flux.<StoredEvent>generate(sink -> {
            StoredEvent next = export.next();
            if (next == null) {
                sink.complete();
            } else {
                sink.next(next);
            }
        }), Export::close);
    }

    private static boolean belongsTo(DomainEventMessage<?> first, String accountId) {
        return first.getPayload() instanceof PaymentIntentCreated created && created.accountId().equals(accountId);
    }

    private StoredEvent stored(DomainEventMessage<?> message) {
        MetaData metadata = message.getMetaData();
        Optional<String> stripeType = message.getPayload() instanceof PaymentIntentEvent event
                ? StripeEventTypes.of(event) : Optional.empty();
        String payload = new String(message.serializePayload(serializer, byte[].class).getData(),
                StandardCharsets.UTF_8);
        return new StoredEvent(message.getAggregateIdentifier(), message.getSequenceNumber(),
                message.getPayloadType().getSimpleName(), stripeType.orElse(null),
                stripeType.map(type -> StripeEventTypes.eventId(message.getIdentifier())).orElse(null),
                message.getTimestamp(), payload, text(metadata, AuditMetadata.ACCOUNT_ID),
                text(metadata, AuditMetadata.KEY_ID), text(metadata, AuditMetadata.REQUEST_ID),
                text(metadata, AuditMetadata.IDEMPOTENCY_KEY), text(metadata, AuditMetadata.CLIENT_IP),
                text(metadata, AuditMetadata.USER_AGENT));
    }

    private static String text(MetaData metadata, String key) {
        Object value = metadata.get(key);
        return value == null ? null : value.toString();
    }

    /**
     * One export's walk through the event store, from the token at its start time to the end of its range or the
     * store's head as it was when the export began, whichever comes first: a range that reaches into the future
     * ends now instead of waiting for new events.
     */
    private final class Export {

        private final ExportStoredEvents query;
        private final long headPosition;
        private final Instant stopAt;
        private final BlockingStream<TrackedEventMessage<?>> stream;
        private final Map<String, String> accounts = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > ACCOUNT_CACHE_SIZE;
            }
        };
        private boolean done;

        Export(ExportStoredEvents query) {
            this.query = query;
            TrackingToken head = eventStore.createHeadToken();
            this.headPosition = head == null ? -1 : head.position().orElse(-1);
            this.stopAt = query.to().plus(TIMESTAMP_SKEW);
            TrackingToken start = headPosition < 0 || !query.from().isBefore(query.to()) ? null
                    : eventStore.createTokenAt(query.from());
            // a start at the head: nothing was stored since the range began
            this.stream = start == null || start.position().orElse(-1) >= headPosition ? null
                    : eventStore.openStream(start);
            this.done = stream == null;
        }

        /** The next event of the account in the range, or null at the end. */
        StoredEvent next() {
            try {
                while (!done) {
                    if (!stream.hasNextAvailable(1, TimeUnit.SECONDS)) {
                        done = true;
                        break;
                    }
                    TrackedEventMessage<?> message = stream.nextAvailable();
                    long position = message.trackingToken().position().orElse(Long.MAX_VALUE);
                    if (position > headPosition || !message.getTimestamp().isBefore(stopAt)) {
                        done = true;
                        break;
                    }
                    done = position == headPosition;
                    if (message instanceof DomainEventMessage<?> domain
                            && domain.getPayload() instanceof PaymentIntentEvent event
                            && !message.getTimestamp().isBefore(query.from())
                            && message.getTimestamp().isBefore(query.to())
                            && query.accountId().equals(accountOf(event))) {
                        return stored(domain);
                    }
                }
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while exporting events", e);
            }
        }

        private String accountOf(PaymentIntentEvent event) {
            if (event instanceof PaymentIntentCreated created) {
                accounts.put(created.paymentIntentId(), created.accountId());
                return created.accountId();
            }
            return accounts.computeIfAbsent(event.paymentIntentId(), id -> {
                DomainEventStream events = eventStore.readEvents(id, 0L);
                return events.hasNext() && events.peek().getPayload() instanceof PaymentIntentCreated created
                        ? created.accountId() : "";
            });
        }

        void close() {
            if (stream != null) {
                stream.close();
            }
        }
    }
}
