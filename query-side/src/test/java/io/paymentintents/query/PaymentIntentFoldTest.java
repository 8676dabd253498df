package io.paymentintents.query;

import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.event.PaymentIntentUpdated;
import io.paymentintents.api.query.PaymentIntentView;
import org.axonframework.queryhandling.SimpleQueryUpdateEmitter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-memory fold and the SQL projection are two statements of one rule: after every event of every journey in
 * {@link PaymentIntentProjectionTest}, the row the projection wrote equals the fold of the events so far.
 */
class PaymentIntentFoldTest {

    private final PaymentIntentFold fold = new PaymentIntentFold(QueryDatabase.CLIENT_SECRETS);
    private PaymentIntentTable table;
    private PaymentIntentProjection projection;

    @BeforeEach
    void setUp() {
        QueryDatabase.deleteAllPaymentIntents();
        table = QueryDatabase.newTable();
        projection = new PaymentIntentProjection(table, SimpleQueryUpdateEmitter.builder().build());
    }

    @Test
    void afterEveryEventOfEveryJourneyTheFoldEqualsTheProjectedRow() {
        for (List<PaymentIntentEvent> journey : List.of(PaymentIntentProjectionTest.MANUAL_CAPTURE,
                PaymentIntentProjectionTest.AUTOMATIC_CAPTURE, PaymentIntentProjectionTest.CANCELED_HOLD,
                PaymentIntentProjectionTest.CANCELED_BARE, PaymentIntentProjectionTest.SETTLED_LATER)) {
            for (int sequence = 0; sequence < journey.size(); sequence++) {
                PaymentIntentEvent event = journey.get(sequence);
                TestEvents.deliver(projection, event, sequence);
                PaymentIntentView projected = table.findById(event.paymentIntentId()).orElseThrow();
                assertThat(fold.fold(journey.subList(0, sequence + 1)))
                        .as("%s after %s", event.paymentIntentId(), event.getClass().getSimpleName())
                        .isEqualTo(projected);
            }
        }
    }

    @Test
    void instantsFinerThanAMicrosecondAreRoundedAsTheTableStoresThem() {
        // The aggregate's clock gives nanoseconds; the JDBC driver sends the nearest microsecond, half up.
        List<PaymentIntentEvent> journey = List.of(
                TestEvents.created("pi_nanos", "acct_nanos", Instant.parse("2024-05-01T10:00:00.123456500Z")),
                new PaymentIntentUpdated("pi_nanos", 2000, "usd", null, "rounded", Map.of(), List.of("card"), null,
                        PaymentIntentStatus.REQUIRES_PAYMENT_METHOD, Instant.parse("2024-05-01T10:00:00.999999700Z")));
        TestEvents.deliverAll(projection, journey);

        PaymentIntentView projected = table.findById("pi_nanos").orElseThrow();

        assertThat(projected.createdAt()).isEqualTo(Instant.parse("2024-05-01T10:00:00.123457Z"));
        assertThat(projected.updatedAt()).isEqualTo(Instant.parse("2024-05-01T10:00:01Z"));
        assertThat(fold.fold(journey)).isEqualTo(projected);
    }

    @Test
    void anEventAppliedAgainChangesNothing() {
        List<PaymentIntentEvent> journey = PaymentIntentProjectionTest.MANUAL_CAPTURE;
        PaymentIntentView all = fold.fold(journey);
        assertThat(fold.apply(all, journey.get(2), 2)).isSameAs(all);
        assertThat(fold.apply(all, journey.get(0), 0)).isSameAs(all);
    }

    @Test
    void noEventsIsNoIntent() {
        assertThat(fold.fold(List.of())).isNull();
        assertThat(fold.apply(null, PaymentIntentProjectionTest.MANUAL_CAPTURE.get(1), 1)).isNull();
    }
}
