package io.paymentintents.gateway.webhooks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

import java.time.Duration;

/** The scheduled job that deletes finished deliveries, and their attempts, after the retention period. */
public class WebhookDeliveryPruning {

    private static final Logger log = LoggerFactory.getLogger(WebhookDeliveryPruning.class);
    private final WebhookDeliveries deliveries;
    private final Duration retention;

    public WebhookDeliveryPruning(WebhookDeliveries deliveries, Duration retention) {
        this.deliveries = deliveries;
        this.retention = retention;
    }

    @Scheduled(fixedDelayString = "${payments.webhooks.prune-interval:1h}", initialDelayString = "1m")
    public void prune() {
        int deleted = deliveries.prune(deliveries.now().minus(retention));
        if (deleted > 0) {
            log.info("pruned {} finished webhook deliveries past their retention", deleted);
        }
    }
}
