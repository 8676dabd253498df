package io.paymentintents.gateway.idempotency;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/** The scheduled job that deletes idempotency keys older than their retention period. */
public class IdempotencyKeyPruning {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyPruning.class);
    private final IdempotentRequests requests;

    public IdempotencyKeyPruning(IdempotentRequests requests) {
        this.requests = requests;
    }

    @Scheduled(fixedDelayString = "${payments.idempotency.prune-interval:1h}", initialDelayString = "1m")
    public void prune() {
        int deleted = requests.prune();
        if (deleted > 0) {
            log.info("pruned {} idempotency keys past their retention", deleted);
        }
    }
}
