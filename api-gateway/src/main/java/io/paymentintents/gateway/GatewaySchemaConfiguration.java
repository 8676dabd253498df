package io.paymentintents.gateway;

import org.flywaydb.core.Flyway;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

/**
 * The gateway's own tables (idempotency keys, accounts and API keys), migrated by Flyway with their own history
 * table, like each side's.
 */
@Configuration(proxyBeanMethods = false)
public class GatewaySchemaConfiguration {

    @Bean(initMethod = "migrate")
    public Flyway gatewayMigrations(DataSource dataSource) {
        return flyway(dataSource);
    }

    /** Also run by the operator command, which may be the first to touch a fresh database. */
    public static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                     .dataSource(dataSource)
                     .locations("classpath:db/gateway")
                     .table("flyway_history_gateway")
                     .baselineOnMigrate(true)
                     .baselineVersion("0")
                     .load();
    }
}
