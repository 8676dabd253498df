package io.paymentintents.command;

import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.caching.WeakReferenceCache;
import org.axonframework.eventsourcing.AggregateCacheEntry;
import org.axonframework.eventsourcing.EventSourcedAggregate;
import org.axonframework.eventsourcing.eventstore.EventStore;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The aggregate cache, checked against the event store on every hit.
 * <p>
 * Within one process the cache can never be behind: Axon's repository locks the intent for the command and drops the
 * entry when a unit of work rolls back. Another node (several standalone copies on one database, or several command
 * sides behind Axon Server) can append to the same intent, though, and a command served from an older entry would
 * then answer from an older state. An append from it would be caught by the unique (intent, sequence) constraint and
 * retried, but a refusal appends nothing: a capture refused as "requires_payment_method" although another node had
 * confirmed the intent would be a wrong answer. So a hit counts only when the store's last sequence number for the
 * intent is the entry's version; that costs one index lookup, where a miss reads and deserializes the whole stream.
 * <p>
 * Entries are held in a {@link WeakReferenceCache}: the garbage collector may drop any of them, and an entry keeps its
 * live aggregate, whose version this class reads.
 */
final class ValidatedAggregateCache implements Cache {

    private final Cache entries = new WeakReferenceCache();
    private final Supplier<EventStore> eventStore;

    ValidatedAggregateCache(Supplier<EventStore> eventStore) {
        this.eventStore = eventStore;
    }

    @Override
    public <K, V> V get(K key) {
        V value = entries.get(key);
        if (value instanceof AggregateCacheEntry<?> entry && !isCurrent(key, entry)) {
            entries.remove(key);
            return null;
        }
        return value;
    }

    private boolean isCurrent(Object key, AggregateCacheEntry<?> entry) {
        // an in-memory entry returns its live aggregate and needs none of these arguments; an entry without one (it
        // would have been serialized, which this cache never does) is simply not used
        EventSourcedAggregate<?> aggregate;
        try {
            aggregate = entry.recreateAggregate(null, null, null, null);
        } catch (RuntimeException notInMemory) {
            return false;
        }
        Long cached = aggregate.version();
        Optional<Long> stored = eventStore.get().lastSequenceNumberFor(key.toString());
        return cached != null && stored.isPresent() && stored.get().equals(cached);
    }

    @Override
    public void put(Object key, Object value) {
        entries.put(key, value);
    }

    @Override
    public boolean putIfAbsent(Object key, Object value) {
        return entries.putIfAbsent(key, value);
    }

    @Override
    public <T> T computeIfAbsent(Object key, Supplier<T> valueSupplier) {
        return entries.computeIfAbsent(key, valueSupplier);
    }

    @Override
    public <V> void computeIfPresent(Object key, UnaryOperator<V> update) {
        entries.computeIfPresent(key, update);
    }

    @Override
    public boolean remove(Object key) {
        return entries.remove(key);
    }

    @Override
    public void removeAll() {
        entries.removeAll();
    }

    @Override
    public boolean containsKey(Object key) {
        return entries.containsKey(key);
    }

    @Override
    public Registration registerCacheEntryListener(EntryListener listener) {
        return entries.registerCacheEntryListener(listener);
    }
}
