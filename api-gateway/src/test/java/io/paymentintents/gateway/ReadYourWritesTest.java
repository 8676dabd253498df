package io.paymentintents.gateway;

import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.command.CancelPaymentIntent;
import io.paymentintents.api.command.CommandOutcome;
import io.paymentintents.api.query.FindPaymentIntent;
import io.paymentintents.api.query.PaymentIntentView;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.queryhandling.DefaultQueryGateway;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.axonframework.queryhandling.SimpleQueryUpdateEmitter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A POST answers once the read model shows its write, whichever node projected it: an update pushed by this JVM's
 * projection, or the row itself, written by another node's projection (which pushes nothing here). Real Axon buses;
 * the read model is a variable.
 */
class ReadYourWritesTest {

    private final SimpleQueryUpdateEmitter emitter = SimpleQueryUpdateEmitter.builder().build();
    private final SimpleCommandBus commandBus = SimpleCommandBus.builder().build();
    private final SimpleQueryBus queryBus = SimpleQueryBus.builder().queryUpdateEmitter(emitter).build();
    private final AtomicReference<PaymentIntentView> readModel = new AtomicReference<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final ScheduledExecutorService projection = Executors.newSingleThreadScheduledExecutor();

    private PaymentIntentService service() {
        return service(ReadModelLocality.UNKNOWN);
    }

    private PaymentIntentService service(ReadModelLocality locality) {
        commandBus.subscribe(CancelPaymentIntent.class.getName(), command -> CommandOutcome.accepted("pi_1", 3));
        queryBus.subscribe(FindPaymentIntent.class.getName(), PaymentIntentView.class, query -> {
            reads.incrementAndGet();
            return readModel.get();
        });
        return new PaymentIntentService(DefaultCommandGateway.builder().commandBus(commandBus).build(),
                DefaultQueryGateway.builder().queryBus(queryBus).build(), Duration.ofSeconds(10), 3,
                Duration.ofMillis(10), Duration.ofMillis(250), locality);
    }

    private static PaymentIntentView view(long version) {
        return new PaymentIntentView("pi_1", "acct_1", version, PaymentIntentStatus.CANCELED, 1000, "usd", 0, 0, null,
                null, null, List.of("card"), CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC, null, null,
                Map.of(), List.of(), null, null, null, Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void aWriteProjectedByAnotherNodeIsSeenInTheReadModel() {
        PaymentIntentService service = service();
        readModel.set(view(2));
        // another node projects version 3 a little later, and tells no one here
        projection.schedule(() -> readModel.set(view(3)), 300, TimeUnit.MILLISECONDS);

        long start = System.nanoTime();
        PaymentIntentView answered = service.execute("acct_1", "pi_1", new CancelPaymentIntent("pi_1", "acct_1", null),
                Map.of());

        assertThat(answered.version()).isEqualTo(3);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("well before the 10 s timeout")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(reads.get()).as("reads back off: a few, not one per millisecond").isBetween(2, 40);
        projection.shutdownNow();
    }

    @Test
    void aWriteProjectedHereIsAnsweredFromThePushedUpdate() {
        PaymentIntentService service = service();
        readModel.set(view(2));
        PaymentIntentView projected = view(3);
        // this JVM's projection pushes the update (and, in this test, never writes the "table")
        projection.schedule(() -> emitter.emit(FindPaymentIntent.class, query -> true, projected), 5,
                TimeUnit.MILLISECONDS);

        PaymentIntentView answered = service.execute("acct_1", "pi_1", new CancelPaymentIntent("pi_1", "acct_1", null),
                Map.of());

        assertThat(answered).isSameAs(projected);
        projection.shutdownNow();
    }

    @Test
    void aWriteThisNodeProjectsIsNotReadAgainWhileItsUpdateIsDue() {
        PaymentIntentService service = service(id -> true);
        readModel.set(view(2));
        PaymentIntentView projected = view(3);
        projection.schedule(() -> emitter.emit(FindPaymentIntent.class, query -> true, projected), 200,
                TimeUnit.MILLISECONDS);

        PaymentIntentView answered = service.execute("acct_1", "pi_1", new CancelPaymentIntent("pi_1", "acct_1", null),
                Map.of());

        assertThat(answered).isSameAs(projected);
        assertThat(reads.get()).as("the initial result only").isEqualTo(1);
        projection.shutdownNow();
    }

    @Test
    void aSegmentThatMovedAwayIsNoticedByReading() {
        // this node held the intent's segment when the POST came, then another node took it and projected the event
        AtomicInteger checks = new AtomicInteger();
        PaymentIntentService moving = service(id -> checks.incrementAndGet() == 1);
        readModel.set(view(2));
        projection.schedule(() -> readModel.set(view(3)), 100, TimeUnit.MILLISECONDS);

        long start = System.nanoTime();
        PaymentIntentView answered = moving.execute("acct_1", "pi_1", new CancelPaymentIntent("pi_1", "acct_1", null),
                Map.of());

        assertThat(answered.version()).isEqualTo(3);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        projection.shutdownNow();
    }

    @Test
    void aViewAlreadyAtTheVersionAnswersAtOnce() {
        PaymentIntentService service = service();
        readModel.set(view(3));

        PaymentIntentView answered = service.execute("acct_1", "pi_1", new CancelPaymentIntent("pi_1", "acct_1", null),
                Map.of());

        assertThat(answered.version()).isEqualTo(3);
        assertThat(reads.get()).as("the initial result only").isEqualTo(1);
    }
}
