package io.paymentintents.distributed;

import com.fasterxml.jackson.databind.JsonNode;
import io.axoniq.axonserver.grpc.event.Event;
import io.paymentintents.distributed.Deployment.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.paymentintents.distributed.Deployment.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The command side, the query side and the gateway as three processes on a real Axon Server: the seeds' flows, errors
 * that cross the wire, read-your-writes with the projection in another process, idempotency, events and snapshots in
 * Axon Server with deadlines in PostgreSQL, and a restart of the query side that rebuilds its read model.
 *
 * <p>Axon Server cannot be built or started by this build (docs/deployment.md says how it was run): the suite runs
 * only against the server that AXONSERVER_SERVERS names, and is skipped, with that reason, without one. It leaves
 * its events in that server's event store; every run uses its own customer ids, so runs do not see each other's
 * intents in lists.
 */
@EnabledIfEnvironmentVariable(named = "AXONSERVER_SERVERS", matches = ".+", disabledReason =
        "needs a running Axon Server: set AXONSERVER_SERVERS to its gRPC address, e.g. localhost:8124 (docs/deployment.md)")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeServicesOnAxonServerTest {

    private static final String RUN = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final Set<String> INTENTS = ConcurrentHashMap.newKeySet();
    private static Deployment deployment;

    @BeforeAll
    static void startTheServices() throws Exception {
        deployment = Deployment.start(System.getenv("AXONSERVER_SERVERS"));
    }

    @AfterAll
    static void stopTheServices() {
        if (deployment != null) {
            deployment.close();
        }
    }

    @Test
    @Order(1)
    void leanRailsQuickstartRunsAsWritten() {
        String basic = "Basic " + Base64.getEncoder().encodeToString((Deployment.SECRET_KEY + ":").getBytes());
        Reply created = deployment.send("POST", "/v1/payment_intents", """
                {"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "customer_id": "%s"}"""
                .formatted(customer("quickstart")), "Authorization", basic, "Content-Type", "application/json",
                "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.body().get("status").asText()).isEqualTo("requires_confirmation");
        String id = remember(created);

        Reply confirmed = deployment.send("POST", "/v1/payment_intents/" + id + "/confirm", null,
                "Authorization", basic, "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        assertThat(confirmed.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(confirmed.body().get("amount_received").asLong()).isEqualTo(2000);

        Reply retrieved = deployment.send("GET", "/v1/payment_intents/" + id, null, "Authorization", basic);
        assertThat(retrieved.body()).isEqualTo(confirmed.body());
    }

    @Test
    @Order(2)
    void casaPayReferenceFlowsRunAsWritten() {
        String customer = customer("casapay");
        Reply created = deployment.postJson("/v1/payment_intents", """
                {"amount": 120000, "currency": "eur", "customer": "%s",
                 "payment_method_types": ["card", "open_banking", "direct_debit"],
                 "description": "Rent payment — February 2025",
                 "metadata": {"property_id": "prop_456", "period": "2025-02"}}""".formatted(customer));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.body().get("status").asText()).isEqualTo("requires_payment_method");
        assertThat(created.body().get("client_secret").asText()).startsWith(created.body().get("id").asText() + "_secret_");
        String id = remember(created);

        assertThat(deployment.get("/v1/payment_intents/" + id).body()).isEqualTo(created.body());

        Reply updated = deployment.postJson("/v1/payment_intents/" + id,
                "{\"amount\": 125000, \"description\": \"Rent + parking — February 2025\"}");
        assertThat(updated.body().get("amount").asLong()).isEqualTo(125000);
        assertThat(updated.body().get("description").asText()).isEqualTo("Rent + parking — February 2025");

        Reply confirmed = deployment.postJson("/v1/payment_intents/" + id + "/confirm",
                "{\"payment_method\": \"pm_card_visa\", \"return_url\": \"https://your-app.com/payment/complete\"}");
        assertThat(confirmed.body().get("status").asText()).as(confirmed.toString()).isEqualTo("succeeded");

        String toCancel = createIntent("{\"amount\": 5000, \"currency\": \"eur\", \"customer\": \"" + customer + "\"}");
        Reply canceled = deployment.postJson("/v1/payment_intents/" + toCancel + "/cancel",
                "{\"cancellation_reason\": \"requested_by_customer\"}");
        assertThat(canceled.body().get("status").asText()).as(canceled.toString()).isEqualTo("canceled");
        assertThat(canceled.body().get("cancellation_reason").asText()).isEqualTo("requested_by_customer");

        String toCapture = createIntent("""
                {"amount": 8000, "currency": "eur", "customer": "%s", "capture_method": "manual",
                 "payment_method": "pm_card_visa", "confirm": true}""".formatted(customer));
        assertThat(deployment.get("/v1/payment_intents/" + toCapture).body().get("status").asText())
                .isEqualTo("requires_capture");
        Reply captured = deployment.postForm("/v1/payment_intents/" + toCapture + "/capture", "amount_to_capture=6000");
        assertThat(captured.body().get("status").asText()).as(captured.toString()).isEqualTo("succeeded");
        assertThat(captured.body().get("amount_received").asLong()).isEqualTo(6000);
        String charge = captured.body().get("latest_charge").asText();
        assertThat(deployment.get("/v1/charges/" + charge).body().get("amount_captured").asLong()).isEqualTo(6000);

        // newest first by creation second, then by id: intents of one second come in id order
        Reply listed = deployment.get("/v1/payment_intents?customer=" + customer + "&limit=10");
        assertThat(ids(listed)).containsExactlyInAnyOrder(toCapture, toCancel, id);
        Reply page = deployment.get("/v1/payment_intents?customer=" + customer + "&limit=2");
        assertThat(page.body().get("has_more").asBoolean()).isTrue();
        Reply rest = deployment.get("/v1/payment_intents?customer=" + customer + "&limit=2&starting_after="
                + ids(page).get(1));
        assertThat(ids(page)).containsExactlyElementsOf(ids(listed).subList(0, 2));
        assertThat(ids(rest)).containsExactlyElementsOf(ids(listed).subList(2, 3));

        // search sends its parsed query tree (a polymorphic type) through Axon Server
        Reply found = deployment.get("/v1/payment_intents/search?query=" + URLEncoder.encode(
                "customer:\"" + customer + "\" AND status:\"succeeded\"", StandardCharsets.UTF_8));
        assertThat(found.status()).as(found.toString()).isEqualTo(200);
        assertThat(ids(found)).containsExactlyInAnyOrder(id, toCapture);
    }

    @Test
    @Order(3)
    void aRuleViolationOnTheCommandSideReachesTheClientWithItsStatusCodeAndIntent() {
        String id = createIntent("{\"amount\": 3000, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\", "
                + "\"confirm\": true, \"customer\": \"" + customer("rules") + "\"}");

        Reply again = deployment.postJson("/v1/payment_intents/" + id + "/confirm", "{}");

        assertThat(again.status()).as(again.toString()).isEqualTo(400);
        assertThat(again.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(again.error().get("code").asText()).isEqualTo("payment_intent_unexpected_state");
        assertThat(again.error().get("message").asText()).contains("status of succeeded");
        assertThat(again.error().get("payment_intent").get("id").asText()).isEqualTo(id);
        assertThat(again.error().get("payment_intent").get("status").asText()).isEqualTo("succeeded");

        Reply capture = deployment.postJson("/v1/payment_intents/" + id + "/capture", "{}");
        assertThat(capture.status()).as(capture.toString()).isEqualTo(400);
        assertThat(capture.error().get("code").asText()).isEqualTo("payment_intent_unexpected_state");
    }

    @Test
    @Order(4)
    void aDeclineIsA402CardErrorWithTheIntent() {
        Reply declined = deployment.postJson("/v1/payment_intents", """
                {"amount": 4200, "currency": "usd", "customer": "%s",
                 "payment_method": "pm_card_chargeDeclinedInsufficientFunds", "confirm": true}"""
                .formatted(customer("decline")));

        assertThat(declined.status()).as(declined.toString()).isEqualTo(402);
        assertThat(declined.error().get("type").asText()).isEqualTo("card_error");
        assertThat(declined.error().get("code").asText()).isEqualTo("card_declined");
        assertThat(declined.error().get("decline_code").asText()).isEqualTo("insufficient_funds");
        JsonNode intent = declined.error().get("payment_intent");
        assertThat(intent.get("status").asText()).isEqualTo("requires_payment_method");
        assertThat(intent.get("last_payment_error").get("decline_code").asText()).isEqualTo("insufficient_funds");
        INTENTS.add(intent.get("id").asText());
        assertThat(deployment.get("/v1/payment_intents/" + intent.get("id").asText()).body()).isEqualTo(intent);
    }

    @Test
    @Order(5)
    void aCommandOnAnIntentThatDoesNotExistIs404() {
        Reply reply = deployment.postJson("/v1/payment_intents/pi_" + RUN + "nowhere/confirm", "{}");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(404);
        assertThat(reply.error().get("code").asText()).isEqualTo("resource_missing");
    }

    @Test
    @Order(6)
    void everyWriteIsReadBackAtOnce() {
        String customer = customer("ryw");
        for (int i = 0; i < 15; i++) {
            Reply created = deployment.postForm("/v1/payment_intents",
                    "amount=" + (1000 + i) + "&currency=usd&customer=" + customer);
            String id = remember(created);
            assertThat(deployment.get("/v1/payment_intents/" + id).body()).isEqualTo(created.body());

            Reply updated = deployment.postForm("/v1/payment_intents/" + id, "metadata[step]=" + i);
            assertThat(updated.body().get("metadata").get("step").asText()).isEqualTo(String.valueOf(i));
            assertThat(deployment.get("/v1/payment_intents/" + id).body()).isEqualTo(updated.body());

            Reply confirmed = deployment.postForm("/v1/payment_intents/" + id + "/confirm",
                    "payment_method=pm_card_mastercard");
            assertThat(confirmed.body().get("status").asText()).isEqualTo("succeeded");
            assertThat(deployment.get("/v1/payment_intents/" + id).body()).isEqualTo(confirmed.body());
            assertThat(ids(deployment.get("/v1/payment_intents?customer=" + customer + "&limit=100"))).contains(id);
        }
    }

    @Test
    @Order(7)
    void concurrentWritesToOneIntentAreAllApplied() throws Exception {
        String id = createIntent("{\"amount\": 900, \"currency\": \"usd\", \"customer\": \"" + customer("race") + "\"}");
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                replies.add(clients.submit(() -> deployment.postForm("/v1/payment_intents/" + id,
                        "metadata[k" + n + "]=v" + n)));
            }
            for (Future<Reply> reply : replies) {
                assertThat(reply.get().status()).as(reply.get().toString()).isEqualTo(200);
            }
        } finally {
            clients.shutdown();
        }
        // the losers of each race were told so through Axon Server, and retried: no update is lost
        JsonNode metadata = deployment.get("/v1/payment_intents/" + id).body().get("metadata");
        for (int i = 0; i < 8; i++) {
            assertThat(metadata.get("k" + i).asText()).isEqualTo("v" + i);
        }
    }

    @Test
    @Order(8)
    void theSameIdempotencyKeyTwiceMakesOneIntentAndReplaysTheAnswer() throws Exception {
        String customer = customer("idem");
        String key = UUID.randomUUID().toString();
        String body = "{\"amount\": 2500, \"currency\": \"usd\", \"customer\": \"" + customer
                + "\", \"payment_method\": \"pm_card_visa\", \"confirm\": true}";

        Reply first = deployment.postJson("/v1/payment_intents", body, "Idempotency-Key", key);
        Reply second = deployment.postJson("/v1/payment_intents", body, "Idempotency-Key", key);

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        String id = remember(first);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        // the gateway derives the replayed client_secret with the key the query side showed it with
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(ids(deployment.get("/v1/payment_intents?customer=" + customer))).containsExactly(id);
        assertThat(deployment.eventsOf(id)).hasSize(2);

        // The answer is lost (the gateway's stored response gone, as after a crash between the events and the
        // response): the retry lands on the same stream, which Axon Server refuses, and answers with that intent.
        deployment.execute("DELETE FROM idempotency_keys WHERE idempotency_key = '" + key + "'");
        Reply retried = deployment.postJson("/v1/payment_intents", body, "Idempotency-Key", key);
        assertThat(retried.status()).as(retried.toString()).isEqualTo(200);
        assertThat(retried.body().get("id").asText()).isEqualTo(id);
        assertThat(retried.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(deployment.eventsOf(id)).hasSize(2);
    }

    @Test
    @Order(9)
    void aPublishableKeyRetrievesAnIntentWithTheClientSecretTheQuerySideShowed() {
        Reply created = deployment.postJson("/v1/payment_intents",
                "{\"amount\": 1200, \"currency\": \"usd\", \"customer\": \"" + customer("pk") + "\"}");
        String id = remember(created);
        String secret = created.body().get("client_secret").asText();

        Reply retrieved = deployment.send("GET", "/v1/payment_intents/" + id + "?client_secret=" + secret, null,
                "Authorization", "Bearer " + Deployment.PUBLISHABLE_KEY);

        assertThat(retrieved.status()).as(retrieved.toString()).isEqualTo(200);
        assertThat(retrieved.body().get("client_secret").asText()).isEqualTo(secret);
    }

    @Test
    @Order(10)
    void eventsAndSnapshotsAreInAxonServerAndDeadlinesInPostgres() throws Exception {
        String id = createIntent("{\"amount\": 700, \"currency\": \"usd\", \"customer\": \"" + customer("store") + "\"}");
        for (int i = 0; i < 6; i++) {
            assertThat(deployment.postForm("/v1/payment_intents/" + id, "metadata[n]=" + i).status()).isEqualTo(200);
        }

        List<Event> events = deployment.eventsOf(id);
        assertThat(events).hasSize(7);
        assertThat(events.get(0).getPayload().getType()).isEqualTo("io.paymentintents.api.event.PaymentIntentCreated");
        assertThat(events.get(0).getPayload().getRevision()).isEqualTo("1");
        JsonNode created = JSON.readTree(events.get(0).getPayload().getData().toStringUtf8());
        assertThat(created.get("paymentIntentId").asText()).isEqualTo(id);
        assertThat(events.get(0).getMetaDataMap().get("accountId").getTextValue()).isEqualTo("acct_default");

        // a snapshot every 5 events (as configured for this test), stored by Axon Server, and used from then on
        await().atMost(Duration.ofSeconds(20)).until(() -> !deployment.snapshotsOf(id).isEmpty());
        assertThat(deployment.snapshotsOf(id).get(0).getPayload().getType())
                .isEqualTo("io.paymentintents.command.PaymentIntent");
        Reply afterSnapshot = deployment.postForm("/v1/payment_intents/" + id + "/confirm", "payment_method=pm_card_visa");
        assertThat(afterSnapshot.body().get("status").asText()).as(afterSnapshot.toString()).isEqualTo("succeeded");
        assertThat(afterSnapshot.body().get("metadata").get("n").asText()).isEqualTo("5");

        // PostgreSQL holds no event store here, but the command side's deadlines
        assertThat(deployment.count("SELECT count(*) FROM pg_tables WHERE tablename = 'domain_event_entry'")).isZero();
        assertThat(deployment.count("SELECT count(*) FROM pg_tables WHERE tablename = 'scheduled_tasks'")).isOne();
    }

    @Test
    @Order(11)
    void aBankPaymentSettlesWhenItsDeadlineFires() {
        Reply processing = deployment.postJson("/v1/payment_intents", """
                {"amount": 9900, "currency": "eur", "customer": "%s", "payment_method_types": ["direct_debit"],
                 "payment_method": "pm_direct_debit", "confirm": true}""".formatted(customer("debit")));
        assertThat(processing.body().get("status").asText()).as(processing.toString()).isEqualTo("processing");
        String id = remember(processing);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(deployment.get("/v1/payment_intents/" + id).body().get("status").asText())
                        .isEqualTo("succeeded"));
    }

    @Test
    @Order(20)
    void theQuerySideRebuildsItsReadModelAfterARestart() throws Exception {
        Map<String, JsonNode> before = new LinkedHashMap<>();
        for (String id : INTENTS) {
            before.put(id, deployment.get("/v1/payment_intents/" + id).body());
        }
        String customer = customer("ryw");
        JsonNode listBefore = deployment.get("/v1/payment_intents?customer=" + customer + "&limit=100").body();

        deployment.querySide.close();

        // Reads cannot be answered now; a write is still applied by the command side, but cannot be read back.
        Reply unavailable = deployment.get("/v1/payment_intents/" + before.keySet().iterator().next());
        assertThat(unavailable.status()).as(unavailable.toString()).isEqualTo(503);
        assertThat(unavailable.header("Stripe-Should-Retry")).isEqualTo("true");
        Reply writtenBlind = deployment.postForm("/v1/payment_intents", "amount=333&currency=usd&customer=" + customer,
                "Idempotency-Key", "blind-" + RUN);
        assertThat(writtenBlind.status()).as(writtenBlind.toString()).isEqualTo(500);
        assertThat(writtenBlind.error().get("message").asText()).contains("applied");

        // the documented rebuild: the read model and the projection's token deleted, then the query side started
        deployment.execute("DELETE FROM payment_intent_charges", "DELETE FROM payment_intents",
                "DELETE FROM token_entry WHERE processor_name = 'payment-intents'");
        deployment.querySide = deployment.launchQuerySide().awaitReady();
        deployment.awaitProjectionCaughtUp();

        for (Map.Entry<String, JsonNode> intent : before.entrySet()) {
            assertThat(deployment.get("/v1/payment_intents/" + intent.getKey()).body())
                    .as(intent.getKey()).isEqualTo(intent.getValue());
        }
        // the list as before, and the intent written while the query side was down
        List<JsonNode> listAfter = new ArrayList<>();
        deployment.get("/v1/payment_intents?customer=" + customer + "&limit=100").body().get("data")
                  .forEach(listAfter::add);
        List<JsonNode> blind = listAfter.stream().filter(intent -> intent.get("amount").asLong() == 333).toList();
        assertThat(blind).hasSize(1);
        listAfter.removeAll(blind);
        assertThat(listAfter).containsExactlyElementsOf(listBefore.get("data"));
    }

    // ---- helpers

    /** A customer id of this run: lists filtered by it see only this run's intents. */
    private static String customer(String purpose) {
        return "cus_" + purpose + "_" + RUN;
    }

    private static String remember(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        String id = reply.body().get("id").asText();
        INTENTS.add(id);
        return id;
    }

    private static String createIntent(String json) {
        return remember(deployment.postJson("/v1/payment_intents", json));
    }

    private static List<String> ids(Reply list) {
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        list.body().get("data").forEach(intent -> ids.add(intent.get("id").asText()));
        return ids;
    }
}
