package io.paymentintents.services.query;

import io.paymentintents.services.support.AxonServerHealth;
import io.paymentintents.services.support.ClientSecretKey;
import io.paymentintents.services.support.ServiceDataSourceConfiguration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The query side as a service of its own: the projection streams the events from Axon Server into the read model in
 * PostgreSQL (its token alongside), and the queries and subscription queries Axon Server routes here are answered
 * from that read model.
 *
 * <p>Axon's Jackson serializer uses the read model's mapper here, as in the standalone application (it is the only
 * ObjectMapper); its settings are those of {@code WireFormat}, which the other two services use.
 */
@SpringBootApplication(scanBasePackages = {"io.paymentintents.query", "io.paymentintents.services.query"})
@Import({ServiceDataSourceConfiguration.class, AxonServerHealth.class})
public class QuerySideApplication {

    public static void main(String[] args) {
        SpringApplication.run(QuerySideApplication.class, args);
    }

    /**
     * The query side would otherwise generate a key into its data directory, which no other process shares: the
     * gateway would then derive other client secrets than those this side shows.
     */
    @Bean
    public Object sharedClientSecretKey(@Value("${payments.client-secret-key:}") String key) {
        return ClientSecretKey.required(key);
    }
}
