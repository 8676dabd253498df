package io.paymentintents;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The whole service in one process: command side, query side and HTTP gateway, connected by Axon's local buses,
 * on an embedded PostgreSQL (or the one SPRING_DATASOURCE_URL names).
 */
@SpringBootApplication
public class PaymentIntentsApplication {

    public static void main(String[] args) {
        SpringApplication.run(PaymentIntentsApplication.class, args);
    }
}
