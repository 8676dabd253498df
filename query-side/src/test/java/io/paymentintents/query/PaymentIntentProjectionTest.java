package io.paymentintents.query;

import io.paymentintents.api.CancellationReason;
import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.ProcessingReason;
import io.paymentintents.api.event.PaymentIntentAuthenticated;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentProcessing;
import io.paymentintents.api.event.PaymentIntentRequiresAction;
import io.paymentintents.api.query.FindPaymentIntentByClientSecret;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.event.PaymentIntentPaymentFailed;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.event.PaymentIntentUpdated;
import io.paymentintents.api.query.FindPaymentIntent;
import io.paymentintents.api.query.PaymentIntentView;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.DefaultQueryGateway;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.axonframework.queryhandling.SimpleQueryUpdateEmitter;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.axonframework.queryhandling.annotation.AnnotationQueryHandlerAdapter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.paymentintents.api.PaymentIntentStatus.CANCELED;
import static io.paymentintents.api.PaymentIntentStatus.PROCESSING;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_ACTION;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CAPTURE;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CONFIRMATION;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_PAYMENT_METHOD;
import static io.paymentintents.api.PaymentIntentStatus.SUCCEEDED;
import static io.paymentintents.query.TestEvents.authorizedCharge;
import static io.paymentintents.query.TestEvents.capturedCharge;
import static io.paymentintents.query.TestEvents.declined;
import static io.paymentintents.query.TestEvents.declinedCharge;
import static io.paymentintents.query.TestEvents.deliver;
import static io.paymentintents.query.TestEvents.deliverAll;
import static io.paymentintents.query.TestEvents.write;
import static org.assertj.core.api.Assertions.assertThat;

class PaymentIntentProjectionTest {

    private static final String ACCOUNT = "acct_projection";
    /** Not on a whole second, so that {@code created} (seconds) and {@code created_at} can be told apart. */
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.250Z");

    private PaymentIntentTable table;
    private SimpleQueryUpdateEmitter emitter;
    private PaymentIntentProjection projection;

    @BeforeEach
    void setUp() {
        QueryDatabase.deleteAllPaymentIntents();
        table = QueryDatabase.newTable();
        emitter = SimpleQueryUpdateEmitter.builder().build();
        projection = new PaymentIntentProjection(table, emitter);
    }

    private PaymentIntentView row(String id) {
        return table.findById(id).orElseThrow(() -> new AssertionError("no row for " + id));
    }

    private static Instant at(int secondsAfterT0) {
        return T0.plusSeconds(secondsAfterT0);
    }

    // A manual-capture intent: created bare, updated, declined, given another card, authorized, partly captured.
    private static final String MANUAL = "pi_manual";
    private static final Charge DECLINED_CHARGE = declinedCharge("ch_manual_1", 2500, "pm_card_chargeDeclined", at(10));
    private static final PaymentError DECLINE = declined("pm_card_chargeDeclined", "ch_manual_1");
    private static final Charge HOLD = authorizedCharge("ch_manual_2", 2500, "pm_card_visa", at(20));
    static final List<PaymentIntentEvent> MANUAL_CAPTURE = List.of(
            new PaymentIntentCreated(MANUAL, ACCOUNT, 2000, "usd", "cus_1", "Order 1", Map.of("order_id", "1"),
                    List.of("card"), CaptureMethod.MANUAL, ConfirmationMethod.AUTOMATIC, null,
                    "https://shop.example/return", REQUIRES_PAYMENT_METHOD, T0),
            new PaymentIntentUpdated(MANUAL, 2500, "usd", "cus_2", "Order 1, gift wrapped",
                    Map.of("order_id", "1", "gift", "yes"), List.of("card"), "pm_card_chargeDeclined",
                    REQUIRES_CONFIRMATION, at(5)),
            new PaymentIntentPaymentFailed(MANUAL, DECLINE, DECLINED_CHARGE, REQUIRES_PAYMENT_METHOD, at(10)),
            new PaymentIntentUpdated(MANUAL, 2500, "usd", "cus_2", "Order 1, gift wrapped",
                    Map.of("order_id", "1", "gift", "yes"), List.of("card"), "pm_card_visa",
                    REQUIRES_CONFIRMATION, at(15)),
            new PaymentIntentAmountCapturableUpdated(MANUAL, "pm_card_visa", 2500, HOLD, REQUIRES_CAPTURE, at(20)),
            new PaymentIntentCaptured(MANUAL, 1800, 700, "usd", HOLD.captured(1800), SUCCEEDED, at(25)));

    // An automatic-capture intent whose first attempt failed without a charge, then succeeded.
    private static final String AUTOMATIC = "pi_automatic";
    private static final PaymentError AUTHENTICATION_FAILURE = new PaymentError("invalid_request_error",
            "payment_intent_authentication_failure", null, "The provided PaymentMethod has failed authentication.",
            "pm_card_authenticationRequired", "card", null);
    private static final Charge PAID = capturedCharge("ch_automatic_1", 4200, "pm_card_visa", at(40));
    static final List<PaymentIntentEvent> AUTOMATIC_CAPTURE = List.of(
            new PaymentIntentCreated(AUTOMATIC, ACCOUNT, 4200, "usd", null, null, Map.of(), List.of("card"),
                    CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC, "pm_card_authenticationRequired", null,
                    REQUIRES_CONFIRMATION, at(30)),
            new PaymentIntentPaymentFailed(AUTOMATIC, AUTHENTICATION_FAILURE, null, REQUIRES_PAYMENT_METHOD, at(35)),
            new PaymentIntentSucceeded(AUTOMATIC, "pm_card_visa", 4200, PAID, SUCCEEDED, at(40)));

    // A held intent that is canceled: the hold is released, after an earlier declined attempt.
    private static final String RELEASED = "pi_released";
    private static final Charge RELEASED_DECLINE = declinedCharge("ch_released_1", 900, "pm_card_chargeDeclined", at(52));
    private static final Charge RELEASED_HOLD = authorizedCharge("ch_released_2", 900, "pm_card_visa", at(54));
    static final List<PaymentIntentEvent> CANCELED_HOLD = List.of(
            new PaymentIntentCreated(RELEASED, ACCOUNT, 900, "usd", "cus_9", null, Map.of("k", "v"),
                    List.of("card"), CaptureMethod.MANUAL, ConfirmationMethod.MANUAL, "pm_card_chargeDeclined", null,
                    REQUIRES_CONFIRMATION, at(50)),
            new PaymentIntentPaymentFailed(RELEASED, declined("pm_card_chargeDeclined", "ch_released_1"),
                    RELEASED_DECLINE, REQUIRES_PAYMENT_METHOD, at(52)),
            new PaymentIntentAmountCapturableUpdated(RELEASED, "pm_card_visa", 900, RELEASED_HOLD, REQUIRES_CAPTURE,
                    at(54)),
            new PaymentIntentCanceled(RELEASED, CancellationReason.REQUESTED_BY_CUSTOMER, RELEASED_HOLD.released(),
                    CANCELED, at(56)));

    // An intent canceled before any attempt, with no reason given.
    private static final String ABANDONED = "pi_abandoned";
    static final List<PaymentIntentEvent> CANCELED_BARE = List.of(
            TestEvents.created(ABANDONED, ACCOUNT, at(60)),
            new PaymentIntentCanceled(ABANDONED, null, null, CANCELED, at(61)));

    // A bank debit: asked for authentication first (a card), then given a debit that is processing, then settled.
    private static final String SETTLED = "pi_settled";
    private static final Charge PENDING_DEBIT = new Charge("ch_settled_1", 3000, 0, 0, "eur", false, "pending",
            "pm_direct_debit", "direct_debit", null, null, null, "authorized", "The payment is pending.", at(73));
    private static final Charge SETTLED_DEBIT = new Charge("ch_settled_1", 3000, 3000, 0, "eur", true, "succeeded",
            "pm_direct_debit", "direct_debit", null, null, null, "authorized", "Payment complete.", at(73));
    static final List<PaymentIntentEvent> SETTLED_LATER = List.of(
            new PaymentIntentCreated(SETTLED, ACCOUNT, 3000, "eur", null, null, Map.of(),
                    List.of("card", "direct_debit"), CaptureMethod.AUTOMATIC, ConfirmationMethod.MANUAL,
                    "pm_card_authenticationRequired", null, REQUIRES_CONFIRMATION, at(70)),
            new PaymentIntentRequiresAction(SETTLED, "pm_card_authenticationRequired", "https://shop.example/back",
                    REQUIRES_ACTION, at(71)),
            new PaymentIntentAuthenticated(SETTLED, "pm_card_authenticationRequired", REQUIRES_CONFIRMATION, at(72)),
            new PaymentIntentProcessing(SETTLED, "pm_direct_debit", ProcessingReason.SETTLEMENT, PENDING_DEBIT,
                    PROCESSING, at(73)),
            new PaymentIntentSucceeded(SETTLED, "pm_direct_debit", 3000, SETTLED_DEBIT, SUCCEEDED, at(80)));

    @Nested
    class PendingAttempts {

        @Test
        void requiresActionRecordsThePaymentMethodAndTheReturnUrlOfTheAttempt() {
            TestEvents.deliverAll(projection, SETTLED_LATER.subList(0, 2));
            PaymentIntentView view = row(SETTLED);
            assertThat(view.status()).isEqualTo(REQUIRES_ACTION);
            assertThat(view.paymentMethod()).isEqualTo("pm_card_authenticationRequired");
            assertThat(view.returnUrl()).isEqualTo("https://shop.example/back");
            assertThat(view.charges()).isEmpty();
        }

        @Test
        void aProcessingIntentShowsItsPendingCharge() {
            TestEvents.deliverAll(projection, SETTLED_LATER.subList(0, 4));
            PaymentIntentView view = row(SETTLED);
            assertThat(view.status()).isEqualTo(PROCESSING);
            assertThat(view.paymentMethod()).isEqualTo("pm_direct_debit");
            assertThat(view.charges()).containsExactly(PENDING_DEBIT);
            assertThat(view.latestChargeId()).isEqualTo("ch_settled_1");
        }

        @Test
        void theSettlementReplacesThePendingChargeInsteadOfAddingASecond() {
            TestEvents.deliverAll(projection, SETTLED_LATER);
            PaymentIntentView view = row(SETTLED);
            assertThat(view.status()).isEqualTo(SUCCEEDED);
            assertThat(view.amountReceived()).isEqualTo(3000);
            assertThat(view.charges()).containsExactly(SETTLED_DEBIT);
        }

        @Test
        void everyChargeOfAnIntentIsFoundByItsIdWithinItsAccountOnly() {
            TestEvents.deliverAll(projection, SETTLED_LATER);
            TestEvents.deliverAll(projection, MANUAL_CAPTURE);
            assertThat(table.findByCharge(ACCOUNT, "ch_settled_1")).map(PaymentIntentView::id).contains(SETTLED);
            assertThat(table.findByCharge(ACCOUNT, "ch_manual_1")).map(PaymentIntentView::id).contains(MANUAL);
            assertThat(table.findByCharge(ACCOUNT, "ch_manual_2")).map(PaymentIntentView::id).contains(MANUAL);
            assertThat(table.findByCharge("acct_other", "ch_manual_2")).isEmpty();
            assertThat(table.findByCharge(ACCOUNT, "ch_unknown")).isEmpty();
        }

        @Test
        void theResetHandlerEmptiesTheChargeIndexToo() {
            TestEvents.deliverAll(projection, SETTLED_LATER);
            projection.onReset();
            assertThat(table.findByCharge(ACCOUNT, "ch_settled_1")).isEmpty();
        }

        @Test
        void anIntentIsFoundByItsGenuineClientSecretOnly() {
            TestEvents.deliverAll(projection, SETTLED_LATER);
            PaymentIntentQueries queries = new PaymentIntentQueries(table, QueryDatabase.CLIENT_SECRETS);
            String secret = QueryDatabase.CLIENT_SECRETS.of(SETTLED);
            assertThat(queries.find(new FindPaymentIntentByClientSecret(secret))).map(PaymentIntentView::id)
                                                                                  .contains(SETTLED);
            String forged = secret.substring(0, secret.length() - 1)
                    + (secret.endsWith("a") ? "b" : "a");
            assertThat(queries.find(new FindPaymentIntentByClientSecret(forged))).isEmpty();
            assertThat(queries.find(new FindPaymentIntentByClientSecret(SETTLED))).isEmpty();
            assertThat(queries.find(new FindPaymentIntentByClientSecret(""))).isEmpty();
        }
    }

    @Nested
    class ApplyingEvents {

        @Test
        void aManualCaptureJourneyShowsExactlyTheExpectedViewAfterEveryEvent() {
            PaymentIntentView created = new PaymentIntentView(MANUAL, ACCOUNT, 0, REQUIRES_PAYMENT_METHOD, 2000,
                    "usd", 0, 0, "cus_1", "Order 1", null, List.of("card"), CaptureMethod.MANUAL,
                    ConfirmationMethod.AUTOMATIC, QueryDatabase.CLIENT_SECRETS.of(MANUAL), "https://shop.example/return",
                    Map.of("order_id", "1"), List.of(), null, null, null, T0, T0);
            ExpectedView expected = ExpectedView.of(created);
            List<PaymentIntentView> steps = new ArrayList<>();
            steps.add(expected.build());

            expected = expected.with(v -> {
                v.version = 1;
                v.status = REQUIRES_CONFIRMATION;
                v.amount = 2500;
                v.customer = "cus_2";
                v.description = "Order 1, gift wrapped";
                v.metadata = Map.of("order_id", "1", "gift", "yes");
                v.paymentMethod = "pm_card_chargeDeclined";
                v.updatedAt = at(5);
            });
            steps.add(expected.build());

            expected = expected.with(v -> {
                v.version = 2;
                v.status = REQUIRES_PAYMENT_METHOD;
                v.paymentMethod = null; // a declined card is detached
                v.lastPaymentError = DECLINE;
                v.charges = List.of(DECLINED_CHARGE);
                v.updatedAt = at(10);
            });
            steps.add(expected.build());

            expected = expected.with(v -> {
                v.version = 3;
                v.status = REQUIRES_CONFIRMATION;
                v.paymentMethod = "pm_card_visa";
                v.lastPaymentError = null; // an update clears the last error
                v.updatedAt = at(15);
            });
            steps.add(expected.build());

            expected = expected.with(v -> {
                v.version = 4;
                v.status = REQUIRES_CAPTURE;
                v.amountCapturable = 2500;
                v.charges = List.of(DECLINED_CHARGE, HOLD);
                v.updatedAt = at(20);
            });
            steps.add(expected.build());

            expected = expected.with(v -> {
                v.version = 5;
                v.status = SUCCEEDED;
                v.amountCapturable = 0;
                v.amountReceived = 1800;
                v.charges = List.of(DECLINED_CHARGE, HOLD.captured(1800)); // replaced in place, not appended
                v.updatedAt = at(25);
            });
            steps.add(expected.build());

            for (int sequence = 0; sequence < MANUAL_CAPTURE.size(); sequence++) {
                deliver(projection, MANUAL_CAPTURE.get(sequence), sequence);
                assertThat(row(MANUAL)).as("after event %d", sequence).isEqualTo(steps.get(sequence));
            }
        }

        @Test
        void aCaptureReplacesTheHeldChargeInItsPlaceAndKeepsTheOrderOfAttempts() {
            deliverAll(projection, MANUAL_CAPTURE);

            List<Charge> charges = row(MANUAL).charges();
            assertThat(charges).extracting(Charge::id).containsExactly("ch_manual_1", "ch_manual_2");
            assertThat(charges.get(0)).isEqualTo(DECLINED_CHARGE);
            assertThat(charges.get(1).captured()).isTrue();
            assertThat(charges.get(1).amountCaptured()).isEqualTo(1800);
            assertThat(charges.get(1).amountRefunded()).isEqualTo(700);
            assertThat(row(MANUAL).latestChargeId()).isEqualTo("ch_manual_2");
        }

        @Test
        void createdIsStoredAsUnixSecondsWhileCreatedAtKeepsTheInstant() {
            deliverAll(projection, MANUAL_CAPTURE);

            assertThat(QueryDatabase.createdColumnOf(MANUAL)).isEqualTo(T0.getEpochSecond());
            assertThat(row(MANUAL).createdAt()).isEqualTo(T0);
        }

        @Test
        void aFailureWithoutAChargeSetsTheErrorAndASuccessClearsItAndAddsTheCharge() {
            deliver(projection, AUTOMATIC_CAPTURE.get(0), 0);
            ExpectedView expected = ExpectedView.of(new PaymentIntentView(AUTOMATIC, ACCOUNT, 0,
                    REQUIRES_CONFIRMATION, 4200, "usd", 0, 0, null, null, "pm_card_authenticationRequired",
                    List.of("card"), CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC, QueryDatabase.CLIENT_SECRETS.of(AUTOMATIC),
                    null, Map.of(), List.of(), null, null, null, at(30), at(30)));
            assertThat(row(AUTOMATIC)).isEqualTo(expected.build());

            deliver(projection, AUTOMATIC_CAPTURE.get(1), 1);
            expected = expected.with(v -> {
                v.version = 1;
                v.status = REQUIRES_PAYMENT_METHOD;
                v.paymentMethod = null;
                v.lastPaymentError = AUTHENTICATION_FAILURE;
                v.updatedAt = at(35);
            });
            assertThat(row(AUTOMATIC)).isEqualTo(expected.build());
            assertThat(row(AUTOMATIC).charges()).isEmpty();

            deliver(projection, AUTOMATIC_CAPTURE.get(2), 2);
            expected = expected.with(v -> {
                v.version = 2;
                v.status = SUCCEEDED;
                v.paymentMethod = "pm_card_visa";
                v.lastPaymentError = null;
                v.amountReceived = 4200;
                v.amountCapturable = 0;
                v.charges = List.of(PAID);
                v.updatedAt = at(40);
            });
            assertThat(row(AUTOMATIC)).isEqualTo(expected.build());
        }

        @Test
        void cancelingAHeldIntentReleasesTheHoldInPlaceAndRecordsReasonAndTime() {
            deliverAll(projection, CANCELED_HOLD.subList(0, 3));
            ExpectedView held = ExpectedView.of(row(RELEASED));
            assertThat(held.amountCapturable).isEqualTo(900);
            assertThat(held.charges).containsExactly(RELEASED_DECLINE, RELEASED_HOLD);
            assertThat(held.lastPaymentError).isNull();

            deliver(projection, CANCELED_HOLD.get(3), 3);

            assertThat(row(RELEASED)).isEqualTo(held.with(v -> {
                v.version = 3;
                v.status = CANCELED;
                v.amountCapturable = 0;
                v.amountReceived = 0;
                v.charges = List.of(RELEASED_DECLINE, RELEASED_HOLD.released());
                v.cancellationReason = CancellationReason.REQUESTED_BY_CUSTOMER;
                v.canceledAt = at(56);
                v.updatedAt = at(56);
            }).build());
            Charge release = row(RELEASED).charges().get(1);
            assertThat(release.captured()).isFalse();
            assertThat(release.amountRefunded()).isEqualTo(900);
        }

        @Test
        void cancelingWithoutAHoldOrAReasonLeavesChargesAndReasonEmpty() {
            deliver(projection, CANCELED_BARE.get(0), 0);
            ExpectedView before = ExpectedView.of(row(ABANDONED));

            deliver(projection, CANCELED_BARE.get(1), 1);

            assertThat(row(ABANDONED)).isEqualTo(before.with(v -> {
                v.version = 1;
                v.status = CANCELED;
                v.cancellationReason = null;
                v.canceledAt = at(61);
                v.updatedAt = at(61);
            }).build());
            assertThat(row(ABANDONED).charges()).isEmpty();
        }

        @Test
        void theVersionIsTheSequenceNumberOfTheLastEventApplied() {
            deliver(projection, CANCELED_BARE.get(0), 7);
            assertThat(row(ABANDONED).version()).isEqualTo(7);

            deliver(projection, CANCELED_BARE.get(1), 12);
            assertThat(row(ABANDONED).version()).isEqualTo(12);
        }

        @Test
        void eachIntentKeepsItsOwnRow() {
            deliverAll(projection, MANUAL_CAPTURE);
            deliverAll(projection, AUTOMATIC_CAPTURE);
            deliverAll(projection, CANCELED_HOLD);

            assertThat(QueryDatabase.countPaymentIntents()).isEqualTo(3);
            assertThat(row(MANUAL).status()).isEqualTo(SUCCEEDED);
            assertThat(row(AUTOMATIC).status()).isEqualTo(SUCCEEDED);
            assertThat(row(RELEASED).status()).isEqualTo(CANCELED);
        }
    }

    @Nested
    class IntoOtherTables {

        @Test
        void aProjectionWritingIntoARebuildsTablesFillsThemAndLeavesTheLiveTablesAlone() {
            var jdbc = QueryDatabase.jdbc();
            jdbc.execute("DROP TABLE IF EXISTS payment_intents_copy, payment_intent_charges_copy");
            jdbc.execute("CREATE TABLE payment_intents_copy (LIKE payment_intents INCLUDING ALL)");
            jdbc.execute("CREATE TABLE payment_intent_charges_copy (LIKE payment_intent_charges INCLUDING ALL)");
            try {
                PaymentIntentProjection rebuild = new PaymentIntentProjection(
                        table.writingInto("payment_intents_copy", "payment_intent_charges_copy"), emitter);

                deliverAll(rebuild, MANUAL_CAPTURE);

                assertThat(QueryDatabase.countPaymentIntents()).isZero();
                assertThat(jdbc.queryForList("SELECT charge_id FROM payment_intent_charges", String.class)).isEmpty();
                assertThat(jdbc.queryForObject("SELECT amount_received FROM payment_intents_copy WHERE id = ?",
                        Long.class, MANUAL)).isEqualTo(1800);
                assertThat(jdbc.queryForList("SELECT charge_id FROM payment_intent_charges_copy ORDER BY 1",
                        String.class)).containsExactly("ch_manual_1", "ch_manual_2");
                // the copy computes the generated search column as the original does
                assertThat(jdbc.queryForObject("SELECT metadata_lower::text FROM payment_intents_copy", String.class))
                        .isEqualTo("{\"gift\": \"yes\", \"order_id\": \"1\"}");
            } finally {
                jdbc.execute("DROP TABLE payment_intents_copy, payment_intent_charges_copy");
            }
        }

        @Test
        void onlyPlainTableNamesAreAccepted() {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> table.writingInto("payment_intents; DROP TABLE x", "payment_intent_charges"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Idempotency {

        @Test
        void everyEventDeliveredTwiceChangesNothingTheSecondTimeAndReportsNoChange() {
            for (List<PaymentIntentEvent> stream : List.of(MANUAL_CAPTURE, AUTOMATIC_CAPTURE, CANCELED_HOLD,
                    CANCELED_BARE, SETTLED_LATER)) {
                for (int sequence = 0; sequence < stream.size(); sequence++) {
                    PaymentIntentEvent event = stream.get(sequence);
                    deliver(projection, event, sequence);
                    PaymentIntentView once = row(event.paymentIntentId());

                    deliver(projection, event, sequence);
                    assertThat(row(event.paymentIntentId())).as("%s delivered again", event).isEqualTo(once);
                    assertThat(write(table, event, sequence)).as("%s written again", event).isFalse();
                    assertThat(row(event.paymentIntentId())).isEqualTo(once);
                }
            }
        }

        @Test
        void aFirstDeliveryReportsAChange() {
            for (int sequence = 0; sequence < MANUAL_CAPTURE.size(); sequence++) {
                assertThat(write(table, MANUAL_CAPTURE.get(sequence), sequence)).isTrue();
            }
        }

        @Test
        void anOlderEventArrivingAfterANewerOneIsSkipped() {
            deliverAll(projection, MANUAL_CAPTURE);
            PaymentIntentView latest = row(MANUAL);

            for (int sequence = 1; sequence < MANUAL_CAPTURE.size() - 1; sequence++) {
                deliver(projection, MANUAL_CAPTURE.get(sequence), sequence);
                assertThat(write(table, MANUAL_CAPTURE.get(sequence), sequence)).isFalse();
            }
            // even one that would change every field
            PaymentIntentUpdated stale = new PaymentIntentUpdated(MANUAL, 9999, "eur", "cus_stale", "stale",
                    Map.of("stale", "true"), List.of("card", "sepa_debit"), "pm_stale", REQUIRES_CONFIRMATION, at(999));
            projection.on(stale, 4);
            assertThat(table.apply(stale, 5)).isFalse();

            assertThat(row(MANUAL)).isEqualTo(latest);
        }

        @Test
        void aCreatedDeliveredTwiceKeepsOneRowAndDoesNotResetALaterState() {
            PaymentIntentCreated created = (PaymentIntentCreated) MANUAL_CAPTURE.get(0);
            projection.on(created, 0);
            assertThat(table.insert(created, 0)).isFalse();
            assertThat(QueryDatabase.countPaymentIntents()).isEqualTo(1);

            deliverAll(projection, MANUAL_CAPTURE);
            PaymentIntentView latest = row(MANUAL);
            projection.on(created, 0);

            assertThat(QueryDatabase.countPaymentIntents()).isEqualTo(1);
            assertThat(row(MANUAL)).isEqualTo(latest);
        }

        @Test
        void anEventForAnIntentWithoutARowWritesNothing() {
            assertThat(write(table, CANCELED_BARE.get(1), 1)).isFalse();
            projection.on((PaymentIntentCanceled) CANCELED_BARE.get(1), 1);

            assertThat(QueryDatabase.countPaymentIntents()).isZero();
        }
    }

    @Nested
    class Reset {

        private final List<List<PaymentIntentEvent>> streams = List.of(MANUAL_CAPTURE, AUTOMATIC_CAPTURE,
                CANCELED_HOLD, CANCELED_BARE);

        private Map<String, PaymentIntentView> everyView() {
            Map<String, PaymentIntentView> views = new LinkedHashMap<>();
            for (String id : List.of(MANUAL, AUTOMATIC, RELEASED, ABANDONED)) {
                views.put(id, table.findById(id).orElse(null));
            }
            return views;
        }

        @Test
        void theResetHandlerEmptiesTheTable() {
            streams.forEach(stream -> deliverAll(projection, stream));
            assertThat(QueryDatabase.countPaymentIntents()).isEqualTo(4);

            projection.onReset();

            assertThat(QueryDatabase.countPaymentIntents()).isZero();
            assertThat(table.findById(MANUAL)).isEmpty();
        }

        @Test
        void replayingAfterAResetRebuildsIdenticalViews() {
            streams.forEach(stream -> deliverAll(projection, stream));
            Map<String, PaymentIntentView> before = everyView();

            projection.onReset();
            streams.forEach(stream -> deliverAll(projection, stream));

            assertThat(everyView()).isEqualTo(before).doesNotContainValue(null);
        }

        @Test
        void replayingOverRowsThatExistChangesNothing() {
            streams.forEach(stream -> deliverAll(projection, stream));
            Map<String, PaymentIntentView> before = everyView();

            streams.forEach(stream -> deliverAll(projection, stream));

            assertThat(everyView()).isEqualTo(before);
            assertThat(QueryDatabase.countPaymentIntents()).isEqualTo(4);
        }
    }

    @Nested
    class UpdateEmission {

        private QueryGateway queryGateway;
        private final List<SubscriptionQueryResult<?, ?>> subscriptions = new ArrayList<>();

        @BeforeEach
        void wireAQueryBusToTheEmitter() {
            SimpleQueryBus queryBus = SimpleQueryBus.builder().queryUpdateEmitter(emitter).build();
            new AnnotationQueryHandlerAdapter<>(new PaymentIntentQueries(table, QueryDatabase.CLIENT_SECRETS)).subscribe(queryBus);
            queryGateway = DefaultQueryGateway.builder().queryBus(queryBus).build();
        }

        /** Subscribes as the gateway does while it waits for a command's effect; collects every update. */
        private List<PaymentIntentView> subscribe(String accountId, String paymentIntentId,
                                                  List<Optional<PaymentIntentView>> initial) {
            SubscriptionQueryResult<Optional<PaymentIntentView>, PaymentIntentView> subscription =
                    queryGateway.subscriptionQuery(new FindPaymentIntent(accountId, paymentIntentId),
                            ResponseTypes.optionalInstanceOf(PaymentIntentView.class),
                            ResponseTypes.instanceOf(PaymentIntentView.class));
            subscriptions.add(subscription);
            initial.add(subscription.initialResult().block(Duration.ofSeconds(5)));
            List<PaymentIntentView> updates = new CopyOnWriteArrayList<>();
            subscription.updates().subscribe(updates::add);
            return updates;
        }

        private List<PaymentIntentView> subscribe(String accountId, String paymentIntentId) {
            return subscribe(accountId, paymentIntentId, new ArrayList<>());
        }

        private void closeSubscriptions() {
            subscriptions.forEach(SubscriptionQueryResult::close);
            subscriptions.clear();
        }

        @Test
        void aSubscriberReceivesTheNewViewAfterEveryChange() {
            List<Optional<PaymentIntentView>> initial = new ArrayList<>();
            List<PaymentIntentView> updates = subscribe(ACCOUNT, MANUAL, initial);
            assertThat(initial).containsExactly(Optional.empty());

            List<PaymentIntentView> views = new ArrayList<>();
            for (int sequence = 0; sequence < MANUAL_CAPTURE.size(); sequence++) {
                deliver(projection, MANUAL_CAPTURE.get(sequence), sequence);
                views.add(row(MANUAL));
                assertThat(updates).as("after event %d", sequence).isEqualTo(views);
            }
            assertThat(updates).extracting(PaymentIntentView::version).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
            closeSubscriptions();
        }

        @Test
        void theInitialResultOfASubscriptionIsTheCurrentView() {
            deliverAll(projection, AUTOMATIC_CAPTURE);
            List<Optional<PaymentIntentView>> initial = new ArrayList<>();

            subscribe(ACCOUNT, AUTOMATIC, initial);

            assertThat(initial).containsExactly(Optional.of(row(AUTOMATIC)));
            closeSubscriptions();
        }

        @Test
        void anEventThatChangesNothingEmitsNothing() {
            deliverAll(projection, CANCELED_HOLD.subList(0, 2));
            List<PaymentIntentView> updates = subscribe(ACCOUNT, RELEASED);

            deliver(projection, CANCELED_HOLD.get(0), 0);
            deliver(projection, CANCELED_HOLD.get(1), 1);
            assertThat(updates).isEmpty();

            deliver(projection, CANCELED_HOLD.get(2), 2);
            assertThat(updates).hasSize(1).first().extracting(PaymentIntentView::version).isEqualTo(2L);
            closeSubscriptions();
        }

        @Test
        void afterARebuildsSwitchEveryWaitingReaderIsSentItsIntentAsItIsNow() {
            List<PaymentIntentView> waiting = subscribe(ACCOUNT, MANUAL);
            List<PaymentIntentView> alsoWaiting = subscribe(ACCOUNT, MANUAL);
            List<PaymentIntentView> otherAccount = subscribe("acct_other", MANUAL);
            List<PaymentIntentView> notThere = subscribe(ACCOUNT, "pi_not_there");
            // rows written by another projection (a rebuild's), which tells no one
            deliverAll(new PaymentIntentProjection(table, SimpleQueryUpdateEmitter.builder().build()),
                    MANUAL_CAPTURE);
            assertThat(waiting).isEmpty();

            projection.announceToWaitingReaders();

            assertThat(waiting).containsExactly(row(MANUAL));
            assertThat(alsoWaiting).containsExactly(row(MANUAL));
            assertThat(otherAccount).isEmpty();
            assertThat(notThere).isEmpty();
            closeSubscriptions();
        }

        @Test
        void subscribersToAnotherIntentOrAnotherAccountReceiveNothing() {
            List<PaymentIntentView> otherAccount = subscribe("acct_other", MANUAL);
            List<PaymentIntentView> otherIntent = subscribe(ACCOUNT, AUTOMATIC);
            List<PaymentIntentView> theIntent = subscribe(ACCOUNT, MANUAL);

            deliverAll(projection, MANUAL_CAPTURE);

            assertThat(theIntent).hasSize(MANUAL_CAPTURE.size());
            assertThat(otherAccount).isEmpty();
            assertThat(otherIntent).isEmpty();
            closeSubscriptions();
        }

        @Test
        void withoutSubscriptionsTheProjectionDoesNotReadTheRowBack() {
            ReadBackCountingTable countingTable = new ReadBackCountingTable();
            PaymentIntentProjection counted = new PaymentIntentProjection(countingTable, emitter);
            assertThat(emitter.activeSubscriptions()).isEmpty();

            deliverAll(counted, MANUAL_CAPTURE);
            assertThat(countingTable.readBacks).hasValue(0);

            List<PaymentIntentView> updates = subscribe(ACCOUNT, AUTOMATIC);
            deliver(counted, AUTOMATIC_CAPTURE.get(0), 0);
            assertThat(countingTable.readBacks).hasValue(1);
            assertThat(updates).hasSize(1);

            deliver(counted, AUTOMATIC_CAPTURE.get(0), 0); // no change, so nothing to read
            assertThat(countingTable.readBacks).hasValue(1);

            closeSubscriptions();
            assertThat(emitter.activeSubscriptions()).isEmpty();
            deliver(counted, AUTOMATIC_CAPTURE.get(1), 1);
            assertThat(countingTable.readBacks).hasValue(1);
            assertThat(updates).hasSize(1);
        }
    }

    /** The real table, counting how often the projection reads a row back to announce it. */
    private static final class ReadBackCountingTable extends PaymentIntentTable {

        final AtomicInteger readBacks = new AtomicInteger();

        ReadBackCountingTable() {
            super(new org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate(QueryDatabase.dataSource()),
                    new QuerySideConfiguration().readModelObjectMapper(), QueryDatabase.CLIENT_SECRETS);
        }

        @Override
        public Optional<PaymentIntentView> findById(String id) {
            readBacks.incrementAndGet();
            return super.findById(id);
        }
    }
}
