package io.paymentintents.standalone;

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
 * Several identical nodes on one database: the table of live nodes, and the {@link SegmentBalancer} that shares the
 * event processors' segments among them (docs/deployment.md, "N identical nodes on PostgreSQL").
 */
@Configuration(proxyBeanMethods = false)
public class SegmentBalancingConfiguration {

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
