package io.paymentintents.standalone;

import io.paymentintents.gateway.ReadModelLocality;
import io.paymentintents.query.PaymentIntentProjection;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Several identical nodes on one database (docs/deployment.md, "N identical nodes on PostgreSQL"): the table of live
 * nodes, the {@link SegmentBalancer} that shares the event processors' segments among them, and what tells a POST
 * whether this node projects its intent.
 */
@Configuration(proxyBeanMethods = false)
public class ScaleOutConfiguration {

    /** Nodes starting together on a new database migrate it one at a time. */
    @Bean
    public static MigrationLock migrationLock() {
        return new MigrationLock();
    }

    @Bean(initMethod = "migrate")
    public Flyway processorNodeMigrations(DataSource dataSource) {
        return Flyway.configure()
                     .dataSource(dataSource)
                     .locations("classpath:db/cluster")
                     .table("flyway_history_cluster")
                     .baselineOnMigrate(true)
                     .baselineVersion("0")
                     .load();
    }

    /**
     * Whether this node's {@code payment-intents} processor holds the segment of an intent: Axon puts an event in the
     * segment that matches the hash of its sequence identifier, the intent id (the default sequencing policy).
     */
    @Bean
    public ReadModelLocality readModelLocality(org.axonframework.config.Configuration axon) {
        return paymentIntentId -> axon.eventProcessingConfiguration()
                .eventProcessor(PaymentIntentProjection.PROCESSING_GROUP, StreamingEventProcessor.class)
                .map(processor -> processor.processingStatus().values().stream()
                        .anyMatch(status -> status.getSegment().matches(paymentIntentId)))
                .orElse(false);
    }

    @Bean
    @ConditionalOnProperty(name = "payments.processors.balancing.enabled", havingValue = "true", matchIfMissing = true)
    public SegmentBalancer segmentBalancer(DataSource dataSource,
                                          @Qualifier("processorNodeMigrations") Flyway migrated,
                                          org.axonframework.config.Configuration axon,
                                          @Value("${payments.processors.balancing.interval:1s}") Duration interval,
                                          @Value("${payments.processors.balancing.liveness:3s}") Duration liveness) {
        // the owner JdbcTokenStore writes into token_entry when no node id is configured
        String nodeId = ManagementFactory.getRuntimeMXBean().getName();
        return new SegmentBalancer(new JdbcTemplate(dataSource), axon::eventProcessingConfiguration, nodeId,
                interval, liveness, interval.multipliedBy(5));
    }
}
