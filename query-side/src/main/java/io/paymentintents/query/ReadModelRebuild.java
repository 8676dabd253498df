package io.paymentintents.query;

import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.StreamableMessageSource;
import org.axonframework.queryhandling.SimpleQueryUpdateEmitter;
import org.axonframework.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rebuilds the read model from the first event while the service keeps answering from the old one, then switches
 * over in one transaction (docs/operations.md, "Rebuilding the read model").
 *
 * <ol>
 *     <li>A request row in {@code read_model_rebuilds} (the operator command writes it) is taken by one node.</li>
 *     <li>Empty copies of {@code payment_intents} and {@code payment_intent_charges} are made ({@code LIKE ...
 *     INCLUDING ALL}: columns, generated columns, defaults, constraints, indexes), and a second tracking processor,
 *     {@code payment-intents-rebuild}, projects every event into them with the same projection code. It tells no
 *     reader about its rows: nobody reads these tables yet.</li>
 *     <li>Once it is within {@value #SWITCH_WITHIN_EVENTS} events of the live processor, the live processor is
 *     paused, the rebuild finishes the last events, and one transaction renames the old tables away and the new ones
 *     into place (index and constraint names included) and moves the rebuild's token to the live processor. A read
 *     sees either the old tables or the new ones, never a half-built one, and the new ones hold at least every event
 *     the old ones did, so no read shows an older state than a POST answered with.</li>
 *     <li>The live processor resumes from the moved token into the new tables. Readers that were waiting for events
 *     the rebuild applied last (POSTs during the pause) are sent the new rows. The old tables are dropped.</li>
 * </ol>
 */
@Component
public class ReadModelRebuild implements SmartLifecycle {

    static final String REBUILD_PROCESSOR = PaymentIntentProjection.PROCESSING_GROUP + "-rebuild";
    private static final String LIVE_PROCESSOR = PaymentIntentProjection.PROCESSING_GROUP;
    private static final List<String> TABLES = List.of("payment_intents", "payment_intent_charges");
    private static final String REBUILD = "_rebuild";
    private static final String REPLACED = "_replaced";

    /** The live projection is paused only for the rebuild's last events: at most this many. */
    static final long SWITCH_WITHIN_EVENTS = 1000;
    private static final Duration FINAL_CATCH_UP = Duration.ofSeconds(5);
    private static final int SWITCH_ATTEMPTS = 10;
    private static final Duration GIVE_UP_AFTER_FAILING_FOR = Duration.ofMinutes(1);
    private static final Duration PROGRESS_INTERVAL = Duration.ofMillis(250);

    private static final Logger log = LoggerFactory.getLogger(ReadModelRebuild.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final PaymentIntentTable table;
    private final PaymentIntentProjection liveProjection;
    private final EventStore eventStore;
    private final TokenStore tokenStore;
    private final TransactionManager axonTransactions;
    private final Serializer tokenSerializer;
    private final ObjectProvider<org.axonframework.config.Configuration> axon;
    private final RebuildRequests requests;
    private final Duration pollInterval;
    private final int batchSize;

    private volatile ScheduledExecutorService worker;

    public ReadModelRebuild(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, PaymentIntentTable table,
                            PaymentIntentProjection liveProjection, EventStore eventStore, TokenStore tokenStore,
                            TransactionManager axonTransactions, @Qualifier("serializer") Serializer tokenSerializer,
                            ObjectProvider<org.axonframework.config.Configuration> axon,
                            @Value("${payments.rebuild.poll-interval:1s}") Duration pollInterval,
                            @Value("${payments.rebuild.batch-size:500}") int batchSize) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.table = table;
        this.liveProjection = liveProjection;
        this.eventStore = eventStore;
        this.tokenStore = tokenStore;
        this.axonTransactions = axonTransactions;
        this.tokenSerializer = tokenSerializer;
        this.axon = axon;
        this.requests = new RebuildRequests(jdbc, ManagementFactory.getRuntimeMXBean().getName());
        this.pollInterval = pollInterval;
        this.batchSize = batchSize;
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    @Override
    public void start() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "read-model-rebuild");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::takeRequest, pollInterval.toMillis(), pollInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        worker = executor;
    }

    @Override
    public void stop() {
        ScheduledExecutorService executor = worker;
        worker = null;
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }

    /** Started after, and stopped before, Axon's processors and the web server. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    // ------------------------------------------------------------------------------------------- the procedure

    private void takeRequest() {
        try {
            requests.take(LIVE_PROCESSOR).ifPresent(this::carryOut);
        } catch (RuntimeException e) {
            log.warn("cannot look for read model rebuild requests: {}", e.toString());
        }
    }

    private void carryOut(RebuildRequests.Taken request) {
        log.info("rebuilding the read model (request {})", request.id());
        boolean switched = request.state().equals("switched");
        try {
            if (!switched) {
                long pause = rebuildAndSwitch(request.id());
                switched = true;
                log.info("read model rebuilt (request {}): switched to the new tables, the live projection paused "
                        + "for {} ms", request.id(), pause);
            }
            dropReplacedTables(request.id());
            requests.done(request.id(), null);
        } catch (InterruptedException e) {
            // The service stops: another start (or node) takes the request up again at once.
            requests.release(request.id());
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (switched) {
                // the new tables are in place: the rebuild is done, only the old ones are left behind
                log.error("read model rebuild {}: the old tables could not be dropped", request.id(), e);
                requests.done(request.id(), "the old tables (*" + REPLACED + ") could not be dropped: " + reason);
            } else {
                log.error("read model rebuild {} failed", request.id(), e);
                dropRebuildTables();
                requests.failed(request.id(), reason);
            }
        }
    }

    /** Answers how long the live projection was paused. */
    private long rebuildAndSwitch(long requestId) throws InterruptedException {
        prepareRebuildTables();
        TrackingEventProcessor rebuild = rebuildProcessor();
        rebuild.start();
        try {
            for (int attempt = 1; ; attempt++) {
                awaitNearlyCaughtUp(requestId, rebuild);
                TABLES.forEach(name -> jdbc.execute("ANALYZE " + name + REBUILD));
                OptionalLong pause = trySwitch(requestId, rebuild);
                if (pause.isPresent()) {
                    requests.paused(requestId, pause.getAsLong());
                    return pause.getAsLong();
                }
                if (attempt == SWITCH_ATTEMPTS) {
                    throw new IllegalStateException("the live projection stayed ahead of the rebuild in "
                            + SWITCH_ATTEMPTS + " attempts to switch");
                }
                if (!rebuild.isRunning()) {
                    rebuild.start();
                }
            }
        } finally {
            if (rebuild.isRunning()) {
                rebuild.shutDown();
            }
        }
    }

    private void prepareRebuildTables() {
        transactions.executeWithoutResult(status -> {
            for (String name : TABLES) {
                jdbc.execute("DROP TABLE IF EXISTS " + name + REBUILD + ", " + name + REPLACED);
                jdbc.execute("CREATE TABLE " + name + REBUILD + " (LIKE " + name + " INCLUDING ALL)");
            }
            jdbc.update("DELETE FROM token_entry WHERE processor_name = ?", REBUILD_PROCESSOR);
        });
    }

    private void dropRebuildTables() {
        try {
            transactions.executeWithoutResult(status -> {
                for (String name : TABLES) {
                    jdbc.execute("DROP TABLE IF EXISTS " + name + REBUILD);
                }
                jdbc.update("DELETE FROM token_entry WHERE processor_name = ?", REBUILD_PROCESSOR);
            });
        } catch (RuntimeException e) {
            log.warn("cannot drop the rebuild's tables: {}", e.toString());
        }
    }

    /** The projection's own code, writing into the new tables, announcing nothing: no one reads them yet. */
    private TrackingEventProcessor rebuildProcessor() {
        PaymentIntentProjection projection = new PaymentIntentProjection(
                table.writingInto(TABLES.get(0) + REBUILD, TABLES.get(1) + REBUILD),
                SimpleQueryUpdateEmitter.builder().build());
        return TrackingEventProcessor.builder()
                .name(REBUILD_PROCESSOR)
                .eventHandlerInvoker(SimpleEventHandlerInvoker.builder().eventHandlers(projection)
                        // as the live processor: a failing event is retried, never skipped
                        .listenerInvocationErrorHandler(PropagatingErrorHandler.instance()).build())
                .messageSource(eventStore)
                .tokenStore(tokenStore)
                .transactionManager(axonTransactions)
                .trackingEventProcessorConfiguration(TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                        .andBatchSize(batchSize)
                        .andInitialTrackingToken(StreamableMessageSource::createTailToken)
                        // it stops at the switch: it should not first wait a whole second for more events
                        .andEventAvailabilityTimeout(100, TimeUnit.MILLISECONDS))
                .build();
    }

    /** Waits until the rebuild has read to the end of the event store and is close behind the live processor. */
    private void awaitNearlyCaughtUp(long requestId, TrackingEventProcessor rebuild) throws InterruptedException {
        Instant failingSince = null;
        while (true) {
            long rebuilt = position(REBUILD_PROCESSOR);
            long live = position(LIVE_PROCESSOR);
            requests.progress(requestId, rebuilt, live);
            Collection<EventTrackerStatus> status = rebuild.processingStatus().values();
            Optional<Throwable> error = status.stream().map(EventTrackerStatus::getError)
                    .filter(java.util.Objects::nonNull).findFirst();
            if (error.isEmpty()) {
                failingSince = null;
            } else if (failingSince == null) {
                failingSince = Instant.now();
            } else if (failingSince.plus(GIVE_UP_AFTER_FAILING_FOR).isBefore(Instant.now())) {
                throw new IllegalStateException("the rebuild's projection failed for "
                        + GIVE_UP_AFTER_FAILING_FOR.toSeconds() + " s: " + error.get(), error.get());
            }
            boolean caughtUp = !status.isEmpty() && status.stream().allMatch(EventTrackerStatus::isCaughtUp);
            if (caughtUp && live - rebuilt <= SWITCH_WITHIN_EVENTS) {
                return;
            }
            Thread.sleep(PROGRESS_INTERVAL.toMillis());
        }
    }

    /**
     * Stops the live processor, lets the rebuild pass it, and switches. Answers how long no live processor ran (a
     * POST whose events were stored meanwhile waited at most that long), or nothing if the switch did not happen (it
     * is tried again).
     */
    private OptionalLong trySwitch(long requestId, TrackingEventProcessor rebuild) throws InterruptedException {
        Optional<TrackingEventProcessor> live = liveProcessor().filter(TrackingEventProcessor::isRunning);
        long stopping = System.nanoTime();
        // Returns once the live processor has finished its batch; while it waits for events (up to a second) it
        // still projects whatever arrives, so POSTs are not held up by the wait.
        live.ifPresent(TrackingEventProcessor::shutDown);
        long pausedAt = System.nanoTime();
        long caughtUp;
        long rebuildStopped;
        try {
            long deadline = pausedAt + FINAL_CATCH_UP.toNanos();
            while (position(REBUILD_PROCESSOR) < position(LIVE_PROCESSOR)) {
                if (System.nanoTime() > deadline) {
                    return OptionalLong.empty();
                }
                Thread.sleep(5);
            }
            caughtUp = System.nanoTime();
            rebuild.shutDown();
            rebuildStopped = System.nanoTime();
            if (!switchTables(requestId)) {
                return OptionalLong.empty(); // another node's live processor got ahead
            }
        } catch (DataAccessException e) {
            // a lock not granted within lock_timeout, or a deadlock with another node's live processor
            log.warn("read model switch postponed: {}", e.getMessage());
            return OptionalLong.empty();
        } finally {
            live.ifPresent(TrackingEventProcessor::start);
        }
        long switched = System.nanoTime();
        liveProjection.announceToWaitingReaders();
        long resumed = System.nanoTime();
        log.info("read model switch: live processor stopped after {} ms; then the rebuild caught up in {} ms, "
                        + "stopped in {} ms, the tables switched and the live processor restarted in {} ms, waiting "
                        + "readers told in {} ms", millis(pausedAt - stopping), millis(caughtUp - pausedAt),
                millis(rebuildStopped - caughtUp), millis(switched - rebuildStopped), millis(resumed - switched));
        return OptionalLong.of(millis(resumed - pausedAt));
    }

    /**
     * One transaction: the new tables take the old ones' names (and index and constraint names), and the live
     * processor continues from where the rebuild stopped. Refused (false) if a live segment is beyond the rebuild,
     * which only another node's processor can cause: the new tables would miss its last events.
     */
    private boolean switchTables(long requestId) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            // readers queue behind the renames' exclusive locks: never let them wait long
            jdbc.execute("SET LOCAL lock_timeout = '2s'");
            List<StoredToken> rebuilt = tokens(REBUILD_PROCESSOR, true);
            List<StoredToken> live = tokens(LIVE_PROCESSOR, true);
            if (rebuilt.size() != 1) {
                throw new IllegalStateException("the rebuild processor has " + rebuilt.size() + " tokens, not 1");
            }
            StoredToken moved = rebuilt.get(0);
            if (live.stream().anyMatch(token -> token.position() > moved.position())) {
                status.setRollbackOnly();
                return false;
            }
            for (String name : TABLES) {
                jdbc.execute("ALTER TABLE " + name + " RENAME TO " + name + REPLACED);
                jdbc.execute("ALTER TABLE " + name + REBUILD + " RENAME TO " + name);
                takeOverIndexNames(name + REPLACED, name);
            }
            String now = Instant.now().toString();
            if (live.isEmpty()) {
                jdbc.update("INSERT INTO token_entry (processor_name, segment, token, token_type, time_stamp) "
                        + "VALUES (?, 0, ?, ?, ?)", LIVE_PROCESSOR, moved.bytes(), moved.type(), now);
            } else {
                // owner NULL: a node that still holds a segment loses its claim and reads the moved token again
                jdbc.update("UPDATE token_entry SET token = ?, token_type = ?, time_stamp = ?, owner = NULL "
                        + "WHERE processor_name = ?", moved.bytes(), moved.type(), now, LIVE_PROCESSOR);
            }
            jdbc.update("DELETE FROM token_entry WHERE processor_name = ?", REBUILD_PROCESSOR);
            requests.switched(requestId, moved.position());
            return true;
        }));
    }

    /**
     * {@code CREATE TABLE ... LIKE} names its indexes after the new table; the read model's indexes keep the names
     * the migrations gave them (later migrations may refer to them). Renaming a constraint's index renames the
     * constraint too.
     */
    private void takeOverIndexNames(String oldTable, String newTable) {
        Map<String, String> oldIndexes = indexes(oldTable);
        Map<String, String> newIndexes = indexes(newTable);
        int n = 0;
        for (String name : oldIndexes.keySet()) {
            jdbc.execute("ALTER INDEX " + quoted(name) + " RENAME TO " + quoted(oldTable + "_" + ++n));
        }
        oldIndexes.forEach((name, definition) -> newIndexes.entrySet().stream()
                .filter(candidate -> candidate.getValue().equals(definition)).map(Map.Entry::getKey).findFirst()
                .ifPresent(match -> {
                    jdbc.execute("ALTER INDEX " + quoted(match) + " RENAME TO " + quoted(name));
                    newIndexes.remove(match);
                }));
    }

    /** Index name to its definition without the index's and table's names: what makes two indexes the same. */
    private Map<String, String> indexes(String tableName) {
        Map<String, String> indexes = new LinkedHashMap<>();
        jdbc.query("""
                SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = CAST(? AS regclass) ORDER BY c.relname""", rs -> {
            indexes.put(rs.getString(1), rs.getString(2).replaceFirst("^CREATE (UNIQUE )?INDEX \\S+ ON (ONLY )?\\S+ ",
                    "$1"));
        }, tableName);
        return indexes;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private void dropReplacedTables(long requestId) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                transactions.executeWithoutResult(status -> {
                    jdbc.execute("SET LOCAL lock_timeout = '2s'");
                    for (String name : TABLES) {
                        jdbc.execute("DROP TABLE IF EXISTS " + name + REPLACED);
                    }
                });
                return;
            } catch (DataAccessException e) {
                if (attempt == 30) {
                    throw e;
                }
                requests.heartbeat(requestId);
                Thread.sleep(1000);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- tokens

    private record StoredToken(int segment, byte[] bytes, String type, long position) {
    }

    /** The furthest segment of a processor: the global index of the last event it handled, -1 for none. */
    private long position(String processor) {
        return tokens(processor, false).stream().mapToLong(StoredToken::position).max().orElse(-1);
    }

    private List<StoredToken> tokens(String processor, boolean forUpdate) {
        return jdbc.query("SELECT segment, token, token_type FROM token_entry WHERE processor_name = ? "
                        + "ORDER BY segment" + (forUpdate ? " FOR UPDATE" : ""),
                (rs, row) -> new StoredToken(rs.getInt(1), rs.getBytes(2), rs.getString(3),
                        position(rs.getBytes(2), rs.getString(3))), processor);
    }

    private long position(byte[] token, String type) {
        return StoredTokens.position(tokenSerializer, token, type);
    }

    private Optional<TrackingEventProcessor> liveProcessor() {
        return axon.getObject().eventProcessingConfiguration()
                   .eventProcessor(LIVE_PROCESSOR, TrackingEventProcessor.class);
    }
}
