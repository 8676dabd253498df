package io.paymentintents.services.support;

import org.axonframework.axonserver.connector.AxonServerConnectionManager;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Whether the service is connected to Axon Server, as the health contributor {@code axonServer}, which the readiness
 * group includes. Axon 4.13 has an indicator of its own, but it is built against the health API of Spring Boot 3,
 * which Spring Boot 4 moved: it is never registered here.
 */
@Configuration(proxyBeanMethods = false)
public class AxonServerHealth {

    @Bean
    public HealthIndicator axonServer(AxonServerConnectionManager connections) {
        return () -> {
            String context = connections.getDefaultContext();
            return connections.isConnected(context) ? Health.up().withDetail("context", context).build()
                    : Health.down().withDetail("context", context).build();
        };
    }
}
