package io.paymentintents.services.command;

import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandBusSpanFactory;
import org.axonframework.commandhandling.DuplicateCommandHandlerResolver;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.interceptors.CorrelationDataInterceptor;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The segment of the command bus that handles what Axon Server routes to this service. Axon's auto-configuration
 * would build the same bus (transaction manager, duplicate resolver, spans, monitor, correlation data); this one also
 * sends failures on in a form that keeps its meaning ({@link WireFailures}) and commits PostgreSQL before Axon Server
 * ({@link DatabaseCommitsFirst}).
 */
@Configuration(proxyBeanMethods = false)
class CommandHandlingConfiguration {

    @Bean
    @Qualifier("localSegment")
    public SimpleCommandBus localSegment(TransactionManager transactionManager,
                                         DuplicateCommandHandlerResolver duplicateCommandHandlerResolver,
                                         org.axonframework.config.Configuration axonConfiguration) {
        SimpleCommandBus commandBus = new RemoteCommandSegment(
                SimpleCommandBus.builder()
                                .transactionManager(new DatabaseCommitsFirst(transactionManager))
                                .duplicateCommandHandlerResolver(duplicateCommandHandlerResolver)
                                .spanFactory(axonConfiguration.getComponent(CommandBusSpanFactory.class))
                                .messageMonitor(axonConfiguration.messageMonitor(CommandBus.class, "commandBus")));
        commandBus.registerHandlerInterceptor(
                new CorrelationDataInterceptor<>(axonConfiguration.correlationDataProviders()));
        return commandBus;
    }
}
