package io.paymentintents.command;

import io.paymentintents.api.AuditMetadata;
import io.paymentintents.command.processor.PaymentProcessor;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import io.paymentintents.command.processor.TestModeProcessor;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.snapshotting.RevisionSnapshotFilter;
import org.axonframework.eventsourcing.snapshotting.SnapshotFilter;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Clock;

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
    public SnapshotTriggerDefinition paymentIntentSnapshotTrigger(
            Snapshotter snapshotter, @Value("${payments.snapshot-threshold:50}") int threshold) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, threshold);
    }

    /** Copies the audit metadata of every command onto the events it causes, so the event store records who and how. */
    @Bean
    public CorrelationDataProvider auditCorrelationDataProvider() {
        return new SimpleCorrelationDataProvider(AuditMetadata.KEYS.toArray(String[]::new));
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
            return EventSchema.builder()
                              .eventTable("domain_event_entry")
                              .snapshotTable("snapshot_event_entry")
                              .globalIndexColumn("global_index")
                              .timestampColumn("time_stamp")
                              .eventIdentifierColumn("event_identifier")
                              .aggregateIdentifierColumn("aggregate_identifier")
                              .sequenceNumberColumn("sequence_number")
                              .typeColumn("type")
                              .payloadTypeColumn("payload_type")
                              .payloadRevisionColumn("payload_revision")
                              .payloadColumn("payload")
                              .metaDataColumn("meta_data")
                              .build();
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
