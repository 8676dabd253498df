package io.paymentintents.services.gateway;

import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.services.support.AxonServerHealth;
import io.paymentintents.services.support.ClientSecretKey;
import io.paymentintents.services.support.ServiceDataSourceConfiguration;
import io.paymentintents.services.support.WireFormat;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The HTTP API as a service of its own: it sends commands and queries through Axon Server and keeps its own tables
 * (idempotency keys, accounts, API keys) in PostgreSQL.
 */
@SpringBootApplication(scanBasePackages = {"io.paymentintents.gateway", "io.paymentintents.services.gateway"})
@Import({ServiceDataSourceConfiguration.class, WireFormat.class, AxonServerHealth.class})
public class ApiGatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(ApiGatewayApplication.class, args);
    }

    /** The key the query side shows client secrets with: a replayed response derives them again here. */
    @Bean
    public ClientSecrets clientSecrets(@Value("${payments.client-secret-key:}") String key) {
        return ClientSecretKey.required(key);
    }
}
