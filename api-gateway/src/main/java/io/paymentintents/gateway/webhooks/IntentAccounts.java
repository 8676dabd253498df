package io.paymentintents.gateway.webhooks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.paymentintents.api.event.PaymentIntentCreated;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;

/**
 * The account of an intent, for events that do not name it (all but the creation) and were not caused by a request
 * that did (the service's own timers: settlements, expiries, re-queries). Read from the intent's first event, which
 * every later event follows in the store; remembered for the most recent intents.
 */
public class IntentAccounts {

    private final EventStore eventStore;
    private final Cache<String, String> accounts = Caffeine.newBuilder().maximumSize(100_000).build();

    public IntentAccounts(EventStore eventStore) {
        this.eventStore = eventStore;
    }

    public void remember(String paymentIntentId, String accountId) {
        accounts.put(paymentIntentId, accountId);
    }

    public String of(String paymentIntentId) {
        return accounts.get(paymentIntentId, id -> {
            DomainEventStream stream = eventStore.readEvents(id, 0);
            if (!stream.hasNext()) {
                throw new IllegalStateException("an event of intent " + id + " without the intent's creation");
            }
            DomainEventMessage<?> first = stream.next();
            if (!(first.getPayload() instanceof PaymentIntentCreated created)) {
                throw new IllegalStateException("the first event of intent " + id + " is not its creation");
            }
            return created.accountId();
        });
    }
}
