package io.paymentintents.services.support;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A service's PostgreSQL, named by SPRING_DATASOURCE_URL (with SPRING_DATASOURCE_USERNAME and _PASSWORD); the
 * services never start an embedded one.
 *
 * <p>Declared as an application bean rather than left to Boot: Axon's JDBC auto-configuration (which gives the query
 * side its token store) is conditional on a DataSource bean and, under Spring Boot 4, is evaluated before Boot's own
 * DataSource auto-configuration, so it would find none and quietly fall back to an in-memory token store.
 */
@Configuration(proxyBeanMethods = false)
public class ServiceDataSourceConfiguration {

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    public HikariDataSource dataSource(@Value("${spring.datasource.url:}") String url,
                                       @Value("${spring.datasource.username:}") String username,
                                       @Value("${spring.datasource.password:}") String password) {
        if (url.isBlank()) {
            throw new IllegalStateException("SPRING_DATASOURCE_URL is not set. Each service keeps its tables in "
                    + "PostgreSQL: set it, e.g. jdbc:postgresql://db:5432/payments, with SPRING_DATASOURCE_USERNAME "
                    + "and SPRING_DATASOURCE_PASSWORD");
        }
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(url);
        if (!username.isEmpty()) {
            dataSource.setUsername(username);
        }
        if (!password.isEmpty()) {
            dataSource.setPassword(password);
        }
        return dataSource;
    }

    /**
     * Axon's units of work in Spring's JDBC transactions, as in the standalone application
     * ({@code AxonTransactionConfiguration} there explains why Boot 4 needs this declared): the command side's
     * deadlines commit with the unit of work that schedules them, a projection batch with its token, the webhook
     * outbox with its processor's token.
     */
    @Bean
    public org.axonframework.common.transaction.TransactionManager axonTransactionManager(
            org.springframework.transaction.PlatformTransactionManager transactionManager) {
        return new org.axonframework.spring.messaging.unitofwork.SpringTransactionManager(transactionManager);
    }
}
