package io.paymentintents.gateway;

import io.paymentintents.api.command.CancelPaymentIntent;
import io.paymentintents.api.command.CommandOutcome;
import io.paymentintents.api.command.CreatePaymentIntent;
import io.paymentintents.api.error.Rejections;
import io.paymentintents.api.query.FindPaymentIntent;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.gateway.web.ApiException;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.queryhandling.DefaultQueryGateway;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An optimistic-locking conflict (another writer appended to the intent's stream first) is retried a bounded number
 * of times, then answered 429 lock_timeout, which the Stripe SDKs retry. Real Axon buses; the command handler plays
 * a writer that always loses the race, as a node does under heavy contention on one intent. A command side behind
 * Axon Server reports the same conflict as a rejection ({@code Rejections.concurrentModification}).
 */
class LockTimeoutTest {

    private final SimpleCommandBus commandBus = SimpleCommandBus.builder().build();
    private final SimpleQueryBus queryBus = SimpleQueryBus.builder().build();
    private final AtomicInteger attempts = new AtomicInteger();

    private PaymentIntentService service(int retries) {
        return new PaymentIntentService(DefaultCommandGateway.builder().commandBus(commandBus).build(),
                DefaultQueryGateway.builder().queryBus(queryBus).build(),
                Duration.ofSeconds(1), retries);
    }

    @Test
    void aConflictThatPersistsIsRetriedThenAnsweredLockTimeout() {
        commandBus.subscribe(CancelPaymentIntent.class.getName(), command -> {
            attempts.incrementAndGet();
            throw new ConcurrencyException("another writer appended sequence 3 first");
        });

        assertThatThrownBy(() -> service(3).execute("acct_1", "pi_1", new CancelPaymentIntent("pi_1", "acct_1", null),
                Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.error().status()).isEqualTo(429);
                    assertThat(e.error().code()).isEqualTo("lock_timeout");
                });
        assertThat(attempts.get()).as("one attempt and three retries").isEqualTo(4);
    }

    @Test
    void aConflictThatClearsIsRetriedTransparently() {
        commandBus.subscribe(CancelPaymentIntent.class.getName(), command -> {
            if (attempts.incrementAndGet() < 3) {
                throw new ConcurrencyException("another writer appended first");
            }
            return CommandOutcome.accepted("pi_1", 7);
        });
        // a read model that never shows the intent
        queryBus.subscribe(FindPaymentIntent.class.getName(), PaymentIntentView.class, query -> null);

        // the command goes through on the third attempt; what follows is the wait for the read model, which this
        // test has none of: it times out, proving the command was accepted rather than rejected
        assertThatThrownBy(() -> service(3).execute("acct_1", "pi_1", new CancelPaymentIntent("pi_1", "acct_1", null),
                Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().status()).isEqualTo(500));
        assertThat(attempts.get()).isEqualTo(3);
    }
    @Test
    void aConflictReportedByACommandSideBehindAxonServerIsRetriedAsALocalOne() {
        // through Axon Server the ConcurrencyException arrives as a rejection (its type does not cross the wire)
        commandBus.subscribe(CancelPaymentIntent.class.getName(), command -> {
            attempts.incrementAndGet();
            throw Rejections.concurrentModification(null);
        });

        assertThatThrownBy(() -> service(3).execute("acct_1", "pi_1", new CancelPaymentIntent("pi_1", "acct_1", null),
                Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().code()).isEqualTo("lock_timeout"));
        assertThat(attempts.get()).isEqualTo(4);
    }

    @Test
    void aCreateThatConflictsBehindAxonServerIsTakenForTheIntentItMadeBefore() {
        commandBus.subscribe(CreatePaymentIntent.class.getName(), command -> {
            attempts.incrementAndGet();
            throw Rejections.concurrentModification(null);
        });
        queryBus.subscribe(FindPaymentIntent.class.getName(), PaymentIntentView.class, query -> null);

        // not retried: the stream exists, and the answer is that intent (which this read model does not show)
        assertThatThrownBy(() -> service(3).create("acct_1", "pi_1", new CreatePaymentIntent("pi_1", "acct_1", 100,
                "usd", null, null, Map.of(), List.of("card"), null, null, null, null, false), Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().code()).isEqualTo("resource_missing"));
        assertThat(attempts.get()).isEqualTo(1);
    }
}
