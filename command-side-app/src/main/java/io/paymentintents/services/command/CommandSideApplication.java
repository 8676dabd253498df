package io.paymentintents.services.command;

import io.paymentintents.services.support.AxonServerHealth;
import io.paymentintents.services.support.ServiceDataSourceConfiguration;
import io.paymentintents.services.support.WireFormat;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/**
 * The command side as a service of its own: the PaymentIntent aggregate handles the commands Axon Server routes to it
 * (by intent id), and stores its events and snapshots in Axon Server. Its deadlines stay in PostgreSQL.
 */
@SpringBootApplication(scanBasePackages = {"io.paymentintents.command", "io.paymentintents.services.command"})
@Import({ServiceDataSourceConfiguration.class, WireFormat.class, AxonServerHealth.class})
public class CommandSideApplication {

    public static void main(String[] args) {
        SpringApplication.run(CommandSideApplication.class, args);
    }
}
