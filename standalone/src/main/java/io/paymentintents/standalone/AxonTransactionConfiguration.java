package io.paymentintents.standalone;

import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Axon's units of work in Spring's JDBC transactions: a command's events, and the deadlines it schedules, commit
 * together; a projection batch's rows commit together with the processor's token.
 *
 * <p>Declared here because Axon 4.13's {@code TransactionAutoConfiguration} orders itself after Boot 3's
 * {@code org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration}, a class Boot 4
 * moved: it is then evaluated before Boot creates the {@code PlatformTransactionManager}, finds none, and Axon falls
 * back to {@code NoTransactionManager}, under which every statement commits on its own (TransactionsTest).
 */
@Configuration(proxyBeanMethods = false)
public class AxonTransactionConfiguration {

    @Bean
    public TransactionManager axonTransactionManager(PlatformTransactionManager transactionManager) {
        return new SpringTransactionManager(transactionManager);
    }
}
