package io.paymentintents.query;

import io.paymentintents.api.AuditMetadata;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.event.PaymentIntentUpdated;
import io.paymentintents.api.events.ListStripeEvents;
import io.paymentintents.api.events.StripeEventRecord;
import io.paymentintents.api.events.StripeEventTypes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.paymentintents.query.TestEvents.capturedCharge;
import static io.paymentintents.query.TestEvents.created;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stripe-events projection against real PostgreSQL: each stored event is recorded once however often it is
 * delivered, and a reset followed by a replay writes exactly the same rows.
 */
class StripeEventProjectionTest {

    private static final String ACCOUNT = "acct_events";
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.250Z");

    private StripeEventTable table;
    private StripeEventProjection projection;

    /** A stored event as the processor is handed it: payload, identifier, sequence, global position, metadata. */
    private record Stored(PaymentIntentEvent event, String identifier, long sequence, long position,
                          Map<String, ?> metadata) {
    }

    @BeforeEach
    void setUp() {
        QueryDatabase.jdbc().update("DELETE FROM stripe_events");
        QueryDatabase.jdbc().update("DELETE FROM stripe_event_intents");
        table = new StripeEventTable(new NamedParameterJdbcTemplate(QueryDatabase.dataSource()),
                new QuerySideConfiguration().readModelObjectMapper(), QueryDatabase.CLIENT_SECRETS);
        projection = new StripeEventProjection(table, new PaymentIntentFold(QueryDatabase.CLIENT_SECRETS));
    }

    private void deliver(Stored stored) {
        projection.record(stored.event(), stored.identifier(), stored.sequence(), stored.position(),
                stored.event().occurredAt().plusMillis(1), stored.metadata());
    }

    private static Map<String, String> request(String requestId, String idempotencyKey) {
        return idempotencyKey == null ? Map.of(AuditMetadata.REQUEST_ID, requestId)
                : Map.of(AuditMetadata.REQUEST_ID, requestId, AuditMetadata.IDEMPOTENCY_KEY, idempotencyKey);
    }

    /** Create, an update (no Stripe event), a success by a timer (no request), for the intent {@code id}. */
    private static List<Stored> journey(String id, long firstPosition) {
        PaymentIntentCreated created = created(id, ACCOUNT, T0);
        PaymentIntentUpdated updated = new PaymentIntentUpdated(id, 2500, "usd", null, "rent", Map.of(),
                List.of("card"), "pm_card_visa", PaymentIntentStatus.REQUIRES_CONFIRMATION, T0.plusSeconds(1));
        PaymentIntentSucceeded succeeded = new PaymentIntentSucceeded(id, "pm_card_visa", 2500,
                capturedCharge("ch_" + id, 2500, "pm_card_visa", T0.plusSeconds(2)), PaymentIntentStatus.SUCCEEDED,
                T0.plusSeconds(2));
        return List.of(new Stored(created, id + "-0", 0, firstPosition, request("req_create", "key-1")),
                new Stored(updated, id + "-1", 1, firstPosition + 1, request("req_update", null)),
                new Stored(succeeded, id + "-2", 2, firstPosition + 2, Map.of()));
    }

    private List<Map<String, Object>> rows() {
        return QueryDatabase.jdbc().queryForList("SELECT * FROM stripe_events ORDER BY position");
    }

    private List<Map<String, Object>> state() {
        return QueryDatabase.jdbc().queryForList("SELECT * FROM stripe_event_intents ORDER BY id");
    }

    private List<StripeEventRecord> list(List<String> types) {
        return table.list(new ListStripeEvents(ACCOUNT, types, null, null, null, null, null, null, 100)).data();
    }

    @Test
    void onlyEventsWithAStripeTypeAreRecordedWithIdsDerivedFromTheStoredEvents() {
        journey("pi_a", 10).forEach(this::deliver);

        List<StripeEventRecord> events = list(List.of());
        assertThat(events).extracting(StripeEventRecord::type)
                .containsExactly("payment_intent.succeeded", "payment_intent.created");
        assertThat(events).extracting(StripeEventRecord::id)
                .containsExactly(StripeEventTypes.eventId("pi_a-2"), StripeEventTypes.eventId("pi_a-0"));
        assertThat(events).extracting(StripeEventRecord::position).containsExactly(12L, 10L);
    }

    @Test
    void theStateFoldsEventsWithoutAStripeTypeSoTheNextEventSeesThem() {
        journey("pi_b", 1).forEach(this::deliver);

        StripeEventRecord succeeded = list(List.of("payment_intent.succeeded")).get(0);
        assertThat(succeeded.previous().amount()).as("the update came before").isEqualTo(2500);
        assertThat(succeeded.previous().status()).isEqualTo(PaymentIntentStatus.REQUIRES_CONFIRMATION);
        assertThat(succeeded.object().status()).isEqualTo(PaymentIntentStatus.SUCCEEDED);
        assertThat(succeeded.object().amountReceived()).isEqualTo(2500);
        assertThat(succeeded.object().clientSecret()).isEqualTo(QueryDatabase.CLIENT_SECRETS.of("pi_b"));
        StripeEventRecord created = list(List.of("payment_intent.created")).get(0);
        assertThat(created.previous()).isNull();
        assertThat(created.object().amount()).isEqualTo(2000);
    }

    @Test
    void theRequestAndIdempotencyKeyComeFromTheMetadataAndATimersEventHasNeither() {
        journey("pi_c", 1).forEach(this::deliver);

        StripeEventRecord created = list(List.of("payment_intent.created")).get(0);
        assertThat(created.requestId()).isEqualTo("req_create");
        assertThat(created.idempotencyKey()).isEqualTo("key-1");
        StripeEventRecord succeeded = list(List.of("payment_intent.succeeded")).get(0);
        assertThat(succeeded.requestId()).isNull();
        assertThat(succeeded.idempotencyKey()).isNull();
    }

    @Test
    void anEventDeliveredAgainChangesNothing() {
        List<Stored> journey = journey("pi_d", 1);
        journey.forEach(this::deliver);
        List<Map<String, Object>> rows = rows();
        List<Map<String, Object>> state = state();

        journey.forEach(this::deliver);
        deliver(journey.get(0));
        deliver(journey.get(1));

        assertThat(rows()).isEqualTo(rows);
        assertThat(state()).isEqualTo(state);
    }

    @Test
    void anOlderEventDeliveredAfterNewerOnesIsSkippedNotFoldedAgain() {
        List<Stored> journey = journey("pi_e", 1);
        journey.forEach(this::deliver);
        List<Map<String, Object>> state = state();

        deliver(journey.get(1)); // the update, after the success: must not move the state back

        assertThat(state()).isEqualTo(state);
        assertThat(list(List.of("payment_intent.succeeded")).get(0).object().amountReceived()).isEqualTo(2500);
    }

    @Test
    void aResetAndReplayWritesTheSameRows() {
        List<Stored> stored = new java.util.ArrayList<>(journey("pi_f", 1));
        stored.addAll(journey("pi_g", 4));
        stored.add(new Stored(new PaymentIntentCanceled("pi_a_other", null, null, PaymentIntentStatus.CANCELED,
                T0), "orphan", 1, 7, Map.of())); // an intent whose creation is not in the stream
        stored.forEach(this::deliver);
        List<Map<String, Object>> rows = rows();
        List<Map<String, Object>> state = state();
        assertThat(rows).hasSize(4);

        projection.onReset();
        assertThat(rows()).isEmpty();
        assertThat(state()).isEmpty();
        stored.forEach(this::deliver);

        assertThat(rows()).isEqualTo(rows);
        assertThat(state()).isEqualTo(state);
    }

    @Test
    void typesMatchExactlyOrWithStarAsTheOnlyWildcard() {
        journey("pi_h", 1).forEach(this::deliver);

        assertThat(list(List.of("payment_intent.*"))).hasSize(2);
        assertThat(list(List.of("*.created"))).hasSize(1);
        assertThat(list(List.of("*"))).hasSize(2);
        assertThat(list(List.of("payment_intent.succ*"))).hasSize(1);
        assertThat(list(List.of("payment_intent_*"))).as("_ is no wildcard").isEmpty();
        assertThat(list(List.of("payment_intent%"))).as("% is no wildcard").isEmpty();
        assertThat(list(List.of("payment_intent.created", "payment_intent.canceled"))).hasSize(1);
        assertThat(list(List.of("payment_intent.Created"))).isEmpty();
    }
}
