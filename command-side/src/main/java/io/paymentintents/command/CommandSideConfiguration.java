package io.paymentintents.command;

import io.paymentintents.api.AuditMetadata;
import io.paymentintents.command.processor.PaymentProcessor;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import io.paymentintents.command.processor.TestModeProcessor;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.caching.NoCache;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.snapshotting.RevisionSnapshotFilter;
import org.axonframework.eventsourcing.snapshotting.SnapshotFilter;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.event.upcasting.PaymentIntentCapturedUpcaster;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurationScopeAwareProvider;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.messaging.interceptors.CorrelationDataInterceptor;
import org.axonframework.deadline.dbscheduler.DbSchedulerBinaryDeadlineDetails;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

@Configuration(proxyBeanMethods = false)
public class CommandSideConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    @ConditionalOnMissingBean
    public Identifiers identifiers() {
        return new RandomIdentifiers();
    }

    @Bean
    @ConditionalOnMissingBean
    public PaymentProcessor paymentProcessor() {
        return new TestModeProcessor();
    }

    @Bean
    @ConditionalOnMissingBean
    public PaymentTimings paymentTimings(
            @Value("${payments.settlement-delay:PT10S}") Duration settlementDelay,
            @Value("${payments.capture-expiry:P7D}") Duration captureExpiry,
            @Value("${payments.outcome-query.first-delay:PT1S}") Duration outcomeQueryFirstDelay,
            @Value("${payments.outcome-query.max-delay:PT5M}") Duration outcomeQueryMaxDelay) {
        return new PaymentTimings(settlementDelay, captureExpiry, outcomeQueryFirstDelay, outcomeQueryMaxDelay);
    }

    /**
     * Deadlines live in PostgreSQL (db-scheduler's {@code scheduled_tasks}), not in memory: a restart in the middle
     * of a settlement loses nothing. The scheduler writes through the transaction of the unit of work that
     * schedules (a {@link TransactionAwareDataSourceProxy}), so the row commits or rolls back with the events that
     * caused it.
     */
    @Configuration(proxyBeanMethods = false)
    static class PersistentDeadlines {

        @Bean(initMethod = "migrate")
        public Flyway deadlineMigrations(DataSource dataSource) {
            return Flyway.configure()
                         .dataSource(dataSource)
                         .locations("classpath:db/deadlines")
                         .table("flyway_history_deadlines")
                         .baselineOnMigrate(true)
                         .baselineVersion("0")
                         .load();
        }

        @Bean
        public Scheduler deadlineScheduler(DataSource dataSource, ApplicationContext context,
                                           @Qualifier("deadlineMigrations") Flyway migrated,
                                           @Value("${payments.deadlines.polling-interval:PT1S}") Duration polling,
                                           @Value("${payments.deadlines.threads:2}") int threads) {
            Task<DbSchedulerBinaryDeadlineDetails> axonTask = DbSchedulerDeadlineManager.binaryTask(
                    () -> context.getBean(DbSchedulerDeadlineManager.class));
            // Axon's task, with a failure policy of ours: a deadline whose handler failed (a database hiccup, a
            // concurrent command on the same intent) is retried in 1 s, 2 s, 4 s... instead of db-scheduler's
            // default of 5 minutes.
            Task<DbSchedulerBinaryDeadlineDetails> task = Tasks
                    .oneTime(axonTask.getName(), DbSchedulerBinaryDeadlineDetails.class)
                    .onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(1), 2.0))
                    .execute((instance, executionContext) -> axonTask.execute(instance, executionContext));
            return Scheduler.create(new TransactionAwareDataSourceProxy(dataSource), List.of(task))
                            .tableName("scheduled_tasks")
                            .threads(threads)
                            .pollingInterval(polling)
                            // a node killed while running a deadline leaves it picked: others revive it after
                            // 6 missed heartbeats (a minute), not db-scheduler's default of 20 minutes
                            .heartbeatInterval(Duration.ofSeconds(10))
                            .missedHeartbeatsLimit(6)
                            .enableImmediateExecution()
                            .build();
        }

        @Bean
        public DeadlineManager deadlineManager(Scheduler deadlineScheduler,
                                               org.axonframework.config.Configuration axonConfiguration,
                                               @Qualifier("eventSerializer") Serializer serializer,
                                               TransactionManager transactionManager) {
            DbSchedulerDeadlineManager manager = DbSchedulerDeadlineManager.builder()
                    .scheduler(deadlineScheduler)
                    .scopeAwareProvider(new ConfigurationScopeAwareProvider(axonConfiguration))
                    .serializer(serializer)
                    .transactionManager(transactionManager)
                    .startScheduler(true)
                    .stopScheduler(true)
                    .build();
            // The deadline manager runs its handlers in a unit of work of its own, which (unlike the command bus)
            // has no correlation data providers: without this, events caused by a timer would carry no audit
            // metadata at all, not even the account the timer's message names.
            manager.registerHandlerInterceptor(new CorrelationDataInterceptor<>(
                    axonConfiguration.correlationDataProviders()));
            return manager;
        }
    }

    @Bean
    public SnapshotTriggerDefinition paymentIntentSnapshotTrigger(
            Snapshotter snapshotter, @Value("${payments.snapshot-threshold:50}") int threshold) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, threshold);
    }

    /** Copies the audit metadata of every command onto the events it causes, so the event store records who and how. */
    @Bean
    public CorrelationDataProvider auditCorrelationDataProvider() {
        return new SimpleCorrelationDataProvider(AuditMetadata.KEYS.toArray(String[]::new));
    }

    /**
     * The Jackson configuration of Axon's serializers (events, snapshots, tokens, deadlines). Axon takes the bean of
     * this name; without it, it would take whichever ObjectMapper bean it found first.
     */
    @Bean
    public ObjectMapper defaultAxonObjectMapper() {
        return EventSerialization.objectMapper();
    }

    /** Axon's Spring Boot configuration registers every EventUpcaster bean with the event store. */
    @Bean
    public EventUpcaster paymentIntentCapturedUpcaster() {
        return new PaymentIntentCapturedUpcaster();
    }

    /**
     * Intents this node has loaded or changed, kept in memory (weakly referenced: the garbage collector may drop any
     * entry), so that a confirm or capture right after a create does not read and deserialize the stream again. An
     * entry is used only while the event store holds nothing newer for its intent ({@link ValidatedAggregateCache}),
     * so several nodes writing the same intents stay correct with it on.
     */
    @Bean
    public Cache paymentIntentCache(@Value("${payments.aggregate-cache.enabled:true}") boolean enabled,
                                    ObjectProvider<EventStore> eventStore) {
        // the event store is looked up on the first hit, not injected, so this bean does not fix its creation order
        return enabled ? new ValidatedAggregateCache(SingletonSupplier.of(eventStore::getObject)) : NoCache.INSTANCE;
    }

    @Bean
    public SnapshotFilter paymentIntentSnapshotFilter() {
        return RevisionSnapshotFilter.builder()
                                     .type(PaymentIntent.TYPE)
                                     .revision(PaymentIntent.SNAPSHOT_REVISION)
                                     .build();
    }

    /**
     * The event store on PostgreSQL, used whenever Axon Server is not. Flyway owns its tables; the names are
     * snake_case so that they read naturally in psql.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false")
    static class PostgresEventStore {

        @Bean(initMethod = "migrate")
        public Flyway eventStoreMigrations(DataSource dataSource) {
            return Flyway.configure()
                         .dataSource(dataSource)
                         .locations("classpath:db/eventstore")
                         .table("flyway_history_eventstore")
                         // each side keeps its own history table in the shared schema
                         .baselineOnMigrate(true)
                         .baselineVersion("0")
                         .load();
        }

        @Bean
        public EventSchema eventSchema() {
            return EventSerialization.eventSchema();
        }

        /**
         * Axon's default JDBC resolver only recognises {@code SQLIntegrityConstraintViolationException}, which the
         * PostgreSQL driver never throws. Without this, two writers on one intent would not be told apart from a
         * broken database, and a repeated keyed create would not be recognised as such.
         */
        @Bean
        public PersistenceExceptionResolver postgresUniqueViolationResolver() {
            return exception -> {
                for (Throwable t = exception; t != null; t = t.getCause()) {
                    if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                        return true;
                    }
                }
                return false;
            };
        }
    }
}
