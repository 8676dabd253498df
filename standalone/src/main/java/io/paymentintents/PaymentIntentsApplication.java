package io.paymentintents;

import io.paymentintents.standalone.admin.AdminCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The whole service in one process: command side, query side and HTTP gateway, connected by Axon's local buses,
 * on an embedded PostgreSQL (or the one SPRING_DATASOURCE_URL names).
 */
@SpringBootApplication
public class PaymentIntentsApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("admin")) {
            // the operator command (accounts and API keys): no Spring context, no HTTP server
            AdminCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        SpringApplication.run(PaymentIntentsApplication.class, args);
    }
}
