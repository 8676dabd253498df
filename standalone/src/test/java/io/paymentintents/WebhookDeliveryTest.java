package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.KeyKind;
import io.paymentintents.gateway.webhooks.WebhookOutbox;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.paymentintents.WebhookReceiver.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Webhook deliveries end to end: the real service sends to real HTTP receivers (the JDK's server on this machine),
 * which check what Stripe's own library checks. Every test has an account of its own, so that the other test
 * classes' payments (in the shared service) are no endpoint's business here. Timing is never asserted against a
 * clock, only as order (one receiver served while another still hangs) or as a lower bound (a retry not before its
 * backoff); waits poll with generous limits.
 */
class WebhookDeliveryTest extends ServiceTest {

    @Autowired
    private ApiKeyRegistry registry;

    @Autowired
    private EventProcessingConfiguration processors;

    private final List<WebhookReceiver> receivers = new ArrayList<>();

    @AfterEach
    void stopTheReceivers() {
        receivers.forEach(WebhookReceiver::close);
    }

    private WebhookReceiver receiver(WebhookReceiver receiver) {
        receivers.add(receiver);
        return receiver;
    }

    /** A fresh account's secret key. */
    private String newAccountKey() {
        return registry.issue(registry.createAccount("deliveries " + UUID.randomUUID()).id(), KeyKind.SECRET).key();
    }

    private Reply as(String key, String method, String path, String form) {
        return form == null ? send(method, path, null, "Authorization", bearer(key))
                : send(method, path, form, "Authorization", bearer(key),
                "Content-Type", "application/x-www-form-urlencoded");
    }

    private record Endpoint(String id, String secret) {
    }

    private Endpoint endpoint(String key, WebhookReceiver receiver, String... types) {
        StringBuilder form = new StringBuilder("url=" + receiver.url());
        for (String type : types) {
            form.append("&enabled_events[]=").append(type);
        }
        Reply reply = as(key, "POST", "/v1/webhook_endpoints", form.toString());
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        return new Endpoint(reply.body().get("id").asText(), reply.body().get("secret").asText());
    }

    private String intent(String key, String form) {
        Reply reply = as(key, "POST", "/v1/payment_intents", form);
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        return reply.body().get("id").asText();
    }

    /** Verified as a receiver verifies it: with stripe-java and the endpoint's secret. */
    private static Event verified(WebhookReceiver.Received received, Endpoint endpoint) throws Exception {
        return Webhook.constructEvent(received.body(), received.signature(), endpoint.secret());
    }

    private static String type(WebhookReceiver.Received received) {
        return json(received.body()).get("type").asText();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private JsonNode deliveries(String key, Endpoint endpoint) {
        Reply reply = as(key, "GET", "/v1/webhook_endpoints/" + endpoint.id() + "/deliveries?limit=100", null);
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        return reply.body().get("data");
    }

    private JsonNode onlyDelivery(String key, Endpoint endpoint) {
        JsonNode data = deliveries(key, endpoint);
        assertThat(data).hasSize(1);
        return data.get(0);
    }

    private long deliveryRows(Endpoint endpoint) {
        return jdbc.queryForObject("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?", Long.class,
                endpoint.id());
    }

    @Test
    void aDeliveryIsTheStripeEventOfTheEventsApiSignedWithTheEndpointsSecret() throws Exception {
        String key = newAccountKey();
        WebhookReceiver receiver = receiver(WebhookReceiver.answering(200));
        Endpoint endpoint = endpoint(key, receiver, "*");

        String id = intent(key, "amount=2500&currency=usd&payment_method=pm_card_visa&confirm=true");

        List<WebhookReceiver.Received> received = receiver.await(2);
        assertThat(received.stream().map(WebhookDeliveryTest::type).sorted())
                .containsExactly("payment_intent.created", "payment_intent.succeeded");
        for (WebhookReceiver.Received delivery : received) {
            Event event = verified(delivery, endpoint);
            assertThat(delivery.contentType()).isEqualTo("application/json; charset=utf-8");
            assertThat(delivery.signature()).matches("t=\\d+,v1=[0-9a-f]{64}");
            JsonNode body = json(delivery.body());
            assertThat(body.at("/data/object/id").asText()).isEqualTo(id);
            Reply shown = as(key, "GET", "/v1/events/" + event.getId(), null);
            assertThat(shown.status()).isEqualTo(200);
            assertThat(body).as("the delivery is the event as the events API shows it").isEqualTo(shown.body());
            assertThatThrownBy(() -> Webhook.constructEvent(delivery.body().replace(id, id + "x"),
                    delivery.signature(), endpoint.secret())).isInstanceOf(SignatureVerificationException.class);
        }
        awaitTrue("both deliveries recorded as succeeded", () -> {
            JsonNode data = deliveries(key, endpoint);
            return data.size() == 2 && data.findValuesAsText("status").stream().allMatch("succeeded"::equals);
        });
        JsonNode delivery = deliveries(key, endpoint).get(0);
        assertThat(delivery.get("object").asText()).isEqualTo("webhook_delivery");
        assertThat(delivery.get("webhook_endpoint").asText()).isEqualTo(endpoint.id());
        assertThat(delivery.get("attempt_count").asInt()).isEqualTo(1);
        assertThat(delivery.at("/attempts/0/status_code").asInt()).isEqualTo(200);
        assertThat(delivery.at("/attempts/0/error").isNull()).isTrue();
        assertThat(delivery.at("/attempts/0/latency_ms").asLong()).isNotNegative();
        assertThat(delivery.get("next_attempt").isNull()).isTrue();
    }

    @Test
    void onlyTheEnabledTypesOfTheEndpointsOwnAccountAreDelivered() throws Exception {
        String key = newAccountKey();
        String otherKey = newAccountKey();
        WebhookReceiver cancellations = receiver(WebhookReceiver.answering(200));
        WebhookReceiver everything = receiver(WebhookReceiver.answering(200));
        WebhookReceiver otherAccount = receiver(WebhookReceiver.answering(200));
        Endpoint canceledOnly = endpoint(key, cancellations, "payment_intent.canceled");
        Endpoint all = endpoint(key, everything, "*");
        Endpoint others = endpoint(otherKey, otherAccount, "*");

        String canceled = intent(key, "amount=1000&currency=eur");
        assertThat(as(key, "POST", "/v1/payment_intents/" + canceled + "/cancel", "").status()).isEqualTo(200);
        intent(key, "amount=1100&currency=eur&payment_method=pm_card_visa&confirm=true");

        // the endpoint for every type has had all four, so every endpoint's deliveries of them exist
        assertThat(everything.await(4).stream().map(WebhookDeliveryTest::type).sorted()).containsExactly(
                "payment_intent.canceled", "payment_intent.created", "payment_intent.created",
                "payment_intent.succeeded");
        assertThat(deliveryRows(canceledOnly)).isEqualTo(1);
        assertThat(deliveryRows(others)).isZero();
        WebhookReceiver.Received cancellation = cancellations.await(1).get(0);
        assertThat(verified(cancellation, canceledOnly).getType()).isEqualTo("payment_intent.canceled");
        assertThat(json(cancellation.body()).at("/data/object/id").asText()).isEqualTo(canceled);
        assertThat(cancellations.received()).hasSize(1);
        assertThat(otherAccount.received()).isEmpty();

        // the other account's endpoint works: it gets its own account's events, and only those
        String own = intent(otherKey, "amount=1200&currency=eur");
        WebhookReceiver.Received received = otherAccount.await(1).get(0);
        assertThat(verified(received, others).getType()).isEqualTo("payment_intent.created");
        assertThat(json(received.body()).at("/data/object/id").asText()).isEqualTo(own);
        assertThat(everything.received()).hasSize(4);
        assertThatThrownBy(() -> verified(received, all)).as("signed with its own endpoint's secret")
                .isInstanceOf(SignatureVerificationException.class);
    }

    @Test
    void aFailedAttemptIsRetriedAfterTheBackoffAndEveryAttemptIsRecorded() throws Exception {
        String key = newAccountKey();
        WebhookReceiver receiver = receiver(WebhookReceiver.answeringInTurn(500, 200));
        Endpoint endpoint = endpoint(key, receiver, "payment_intent.created");

        intent(key, "amount=1300&currency=usd");

        List<WebhookReceiver.Received> received = receiver.await(2);
        long gapMillis = (received.get(1).arrivedNanos() - received.get(0).arrivedNanos()) / 1_000_000;
        assertThat(gapMillis).as("the retry waits for its backoff")
                             .isGreaterThanOrEqualTo(WEBHOOK_FIRST_RETRY_DELAY.toMillis() - 50);
        assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
        assertThat(verified(received.get(1), endpoint).getType()).isEqualTo("payment_intent.created");
        awaitTrue("the second attempt recorded", () -> onlyDelivery(key, endpoint).get("status").asText()
                .equals("succeeded"));
        JsonNode delivery = onlyDelivery(key, endpoint);
        assertThat(delivery.get("attempt_count").asInt()).isEqualTo(2);
        JsonNode attempts = delivery.get("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).get("attempt").asInt()).isEqualTo(1);
        assertThat(attempts.get(0).get("status_code").asInt()).isEqualTo(500);
        assertThat(attempts.get(0).get("error").asText()).isEqualTo("the receiver answered 500");
        assertThat(attempts.get(0).get("manual").asBoolean()).isFalse();
        assertThat(attempts.get(1).get("status_code").asInt()).isEqualTo(200);
        assertThat(attempts.get(1).get("error").isNull()).isTrue();
        assertThat(receiver.received()).hasSize(2);
    }

    @Test
    void aHangingReceiverDelaysNeitherAnotherReceiverNorTheApi() throws Exception {
        String key = newAccountKey();
        CountDownLatch release = new CountDownLatch(1);
        WebhookReceiver hanging = receiver(WebhookReceiver.answering(n -> {
            if (n == 0) {
                release.await(2, TimeUnit.MINUTES);
            }
            return 200;
        }));
        WebhookReceiver healthy = receiver(WebhookReceiver.answering(200));
        Endpoint stuck = endpoint(key, hanging, "payment_intent.created");
        Endpoint served = endpoint(key, healthy, "payment_intent.created");
        try {
            String first = intent(key, "amount=1400&currency=usd");
            hanging.await(1);

            WebhookReceiver.Received delivered = healthy.await(1).get(0);
            assertThat(json(delivered.body()).at("/data/object/id").asText()).isEqualTo(first);
            assertThat(onlyDelivery(key, stuck).get("attempt_count").asInt())
                    .as("the hanging receiver's attempt is still under way").isZero();
            String second = intent(key, "amount=1500&currency=usd"); // the API answers meanwhile
            assertThat(healthy.awaitMatching(1, r -> r.body().contains(second))).hasSize(1);
            assertThat(onlyDeliveryOf(key, stuck, first).get("attempt_count").asInt()).isZero();

            awaitTrue("the hanging attempt times out", () ->
                    onlyDeliveryOf(key, stuck, first).get("attempt_count").asInt() == 1);
            JsonNode timedOut = onlyDeliveryOf(key, stuck, first).get("attempts").get(0);
            assertThat(timedOut.get("status_code").isNull()).isTrue();
            assertThat(timedOut.get("error").asText()).isEqualTo("no answer within "
                    + WEBHOOK_READ_TIMEOUT.toMillis() + " ms");
            assertThat(timedOut.get("latency_ms").asLong()).isGreaterThanOrEqualTo(WEBHOOK_READ_TIMEOUT.toMillis());
        } finally {
            release.countDown();
        }
        awaitTrue("the retry succeeds", () -> deliveries(key, stuck).findValuesAsText("status").stream()
                .allMatch("succeeded"::equals) && deliveries(key, stuck).size() == 2);
        assertThat(deliveries(key, served).findValuesAsText("attempt_count")).containsOnly("1");
    }

    private JsonNode onlyDeliveryOf(String key, Endpoint endpoint, String paymentIntentId) {
        List<JsonNode> matching = new ArrayList<>();
        deliveries(key, endpoint).forEach(delivery -> {
            Reply event = as(key, "GET", "/v1/events/" + delivery.get("event").asText(), null);
            if (event.body().at("/data/object/id").asText().equals(paymentIntentId)) {
                matching.add(delivery);
            }
        });
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    @Test
    void aManualRetrySendsTheEventAgainAndIsRecordedAsManual() throws Exception {
        String key = newAccountKey();
        WebhookReceiver receiver = receiver(WebhookReceiver.answering(200));
        Endpoint endpoint = endpoint(key, receiver, "payment_intent.created");
        intent(key, "amount=1600&currency=usd");
        WebhookReceiver.Received first = receiver.await(1).get(0);
        awaitTrue("delivered", () -> onlyDelivery(key, endpoint).get("status").asText().equals("succeeded"));
        String delivery = onlyDelivery(key, endpoint).get("id").asText();

        Reply retried = as(key, "POST", "/v1/webhook_endpoints/" + endpoint.id() + "/deliveries/" + delivery
                + "/retry", "");

        assertThat(retried.status()).as("%s", retried.body()).isEqualTo(200);
        assertThat(retried.body().get("id").asText()).isEqualTo(delivery);
        assertThat(retried.body().get("status").asText()).isEqualTo("pending");
        WebhookReceiver.Received again = receiver.await(2).get(1);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(verified(again, endpoint).getId()).isEqualTo(verified(first, endpoint).getId());
        awaitTrue("the manual attempt recorded", () -> onlyDelivery(key, endpoint).get("attempt_count").asInt() == 2);
        JsonNode attempts = onlyDelivery(key, endpoint).get("attempts");
        assertThat(attempts.get(0).get("manual").asBoolean()).isFalse();
        assertThat(attempts.get(1).get("manual").asBoolean()).isTrue();
        assertThat(onlyDelivery(key, endpoint).get("status").asText()).isEqualTo("succeeded");

        Reply unknown = as(key, "POST", "/v1/webhook_endpoints/" + endpoint.id()
                + "/deliveries/whdel_000000000000000000000000/retry", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error().get("param").asText()).isEqualTo("delivery");
        as(key, "POST", "/v1/webhook_endpoints/" + endpoint.id(), "disabled=true");
        Reply whileDisabled = as(key, "POST", "/v1/webhook_endpoints/" + endpoint.id() + "/deliveries/" + delivery
                + "/retry", "");
        assertThat(whileDisabled.status()).isEqualTo(400);
        assertThat(onlyDelivery(key, endpoint).get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void aDisabledOrDeletedEndpointGetsNothingNew() throws Exception {
        String key = newAccountKey();
        WebhookReceiver disabledReceiver = receiver(WebhookReceiver.answering(200));
        WebhookReceiver deletedReceiver = receiver(WebhookReceiver.answering(200));
        WebhookReceiver sentinelReceiver = receiver(WebhookReceiver.answering(200));
        Endpoint disabled = endpoint(key, disabledReceiver, "*");
        Endpoint deleted = endpoint(key, deletedReceiver, "*");
        Endpoint sentinel = endpoint(key, sentinelReceiver, "*");
        intent(key, "amount=1700&currency=usd");
        disabledReceiver.await(1);
        deletedReceiver.await(1);

        assertThat(as(key, "POST", "/v1/webhook_endpoints/" + disabled.id(), "disabled=true").status())
                .isEqualTo(200);
        assertThat(as(key, "DELETE", "/v1/webhook_endpoints/" + deleted.id(), null).status()).isEqualTo(200);
        String later = intent(key, "amount=1800&currency=usd");

        // by the time the endpoint that stayed has the new event, the others' deliveries would have been made
        sentinelReceiver.awaitMatching(1, r -> r.body().contains(later));
        assertThat(deliveryRows(disabled)).isEqualTo(1);
        assertThat(deliveryRows(deleted)).isZero();
        assertThat(disabledReceiver.received()).hasSize(1);
        assertThat(deletedReceiver.received()).hasSize(1);

        // enabled again, it gets what happens from then on
        as(key, "POST", "/v1/webhook_endpoints/" + disabled.id(), "disabled=false");
        String afterwards = intent(key, "amount=1900&currency=usd");
        assertThat(disabledReceiver.awaitMatching(1, r -> r.body().contains(afterwards))).hasSize(1);
        assertThat(disabledReceiver.received()).noneMatch(r -> r.body().contains(later));
    }

    @Test
    void replayingTheOtherProcessorsSendsNothingAgainAndTheWebhooksProcessorRefusesAReset() throws Exception {
        String key = newAccountKey();
        WebhookReceiver receiver = receiver(WebhookReceiver.answering(200));
        Endpoint endpoint = endpoint(key, receiver, "*");
        intent(key, "amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true");
        receiver.await(2);

        TrackingEventProcessor webhooks = processor(WebhookOutbox.PROCESSING_GROUP);
        assertThat(webhooks.supportsReset()).isFalse();
        assertThatThrownBy(webhooks::resetTokens).isInstanceOf(IllegalStateException.class)
                                                 .hasMessageContaining("do not support a reset");

        long head = jdbc.queryForObject("SELECT max(global_index) FROM domain_event_entry", Long.class);
        for (String name : List.of("payment-intents", "stripe-events")) {
            TrackingEventProcessor processor = processor(name);
            processor.shutDown();
            processor.resetTokens();
            processor.start();
        }
        // a replay stays marked as one until a new event arrives: done is back at the head
        for (String name : List.of("payment-intents", "stripe-events")) {
            TrackingEventProcessor processor = processor(name);
            awaitTrue(name + " replayed", () -> !processor.processingStatus().isEmpty()
                    && processor.processingStatus().values().stream().allMatch(status -> status.isCaughtUp()
                    && status.getCurrentPosition().orElse(-1) >= head));
        }
        String after = intent(key, "amount=2100&currency=usd");

        receiver.awaitMatching(1, r -> r.body().contains(after));
        assertThat(receiver.received()).hasSize(3);
        assertThat(deliveryRows(endpoint)).isEqualTo(3);
    }

    private TrackingEventProcessor processor(String name) {
        return processors.eventProcessor(name, TrackingEventProcessor.class)
                         .orElseThrow(() -> new AssertionError("no tracking processor " + name));
    }
}
