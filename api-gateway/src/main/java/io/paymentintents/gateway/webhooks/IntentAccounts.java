package io.paymentintents.gateway.webhooks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.paymentintents.api.event.PaymentIntentCreated;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;

/**
 * The account of an intent, for the events whose payload does not name it (all but the creation). Read from the
 * intent's creation, which every later event follows in the store and which names the account in every version of
 * the store (audit metadata carries it too, but not on events stored before timers set it); remembered for the most
 * recent intents.
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
