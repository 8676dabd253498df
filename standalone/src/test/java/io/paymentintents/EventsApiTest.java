package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.KeyKind;
import io.paymentintents.query.StripeEventProjection;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v1/events} and {@code GET /v1/events/{id}} over real HTTP: what each change of an intent shows as a
 * Stripe event, the filters and cursors, account isolation, and a replay of the projection. Each test has an account
 * of its own, so its lists hold exactly the events it caused. Events trail the writes by the projection's lag, so
 * every test polls until they show.
 */
class EventsApiTest extends ServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Autowired
    private ApiKeyRegistry registry;

    @Autowired
    private Configuration axon;

    private String key;

    @BeforeEach
    void accountOfItsOwn() {
        key = newAccountKey();
    }

    private String newAccountKey() {
        String account = registry.createAccount("Events test " + System.nanoTime()).id();
        return registry.issue(account, KeyKind.SECRET).key();
    }

    private Reply getAs(String apiKey, String path) {
        return send("GET", path, null, "Authorization", bearer(apiKey));
    }

    private Reply events(String query) {
        return getAs(key, "/v1/events" + query);
    }

    private Reply post(String path, String json, String... headers) {
        List<String> all = new ArrayList<>(List.of("Authorization", bearer(key), "Content-Type", "application/json"));
        all.addAll(List.of(headers));
        return send("POST", path, json, all.toArray(String[]::new));
    }

    private JsonNode create(String json, String... headers) {
        Reply reply = post("/v1/payment_intents", json, headers);
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        return reply.body();
    }

    /** The account's events (newest first) once the list satisfies {@code ready}, polling meanwhile. */
    private List<JsonNode> awaitEvents(String query, Predicate<List<JsonNode>> ready) {
        return awaitEvents(query, ready, PATIENCE);
    }

    private List<JsonNode> awaitEvents(String query, Predicate<List<JsonNode>> ready, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Reply reply = events(query);
            assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
            List<JsonNode> data = new ArrayList<>();
            reply.body().get("data").forEach(data::add);
            if (ready.test(data)) {
                return data;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("events did not show in time: " + data);
            }
            pause(50);
        }
    }

    private List<JsonNode> awaitEvents(int count) {
        return awaitEvents("?limit=100", data -> data.size() >= count);
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(event -> event.get("type").asText()).toList();
    }

    private static List<String> ids(Reply reply) {
        List<String> ids = new ArrayList<>();
        reply.body().get("data").forEach(event -> ids.add(event.get("id").asText()));
        return ids;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the next whole second, so that the next change is stored in a later second than the last. */
    static void nextSecond() {
        pause(1000 - System.currentTimeMillis() % 1000 + 20);
    }

    @Test
    void everyChangeWithAStripeTypeIsAnEventNewestFirstHoldingTheIntentAsTheChangeLeftIt() {
        JsonNode created = create("{\"amount\": 2000, \"currency\": \"usd\", \"capture_method\": \"manual\", "
                + "\"payment_method\": \"pm_card_visa\"}");
        String id = created.get("id").asText();
        JsonNode confirmed = post("/v1/payment_intents/" + id + "/confirm", "{}").body();
        JsonNode captured = post("/v1/payment_intents/" + id + "/capture", "{}").body();

        List<JsonNode> events = awaitEvents(3);

        assertThat(types(events)).containsExactly("payment_intent.succeeded",
                "payment_intent.amount_capturable_updated", "payment_intent.created");
        assertThat(events.get(0).at("/data/object")).isEqualTo(captured);
        assertThat(events.get(1).at("/data/object")).isEqualTo(confirmed);
        assertThat(events.get(2).at("/data/object")).isEqualTo(created);
        for (JsonNode event : events) {
            assertThat(event.get("id").asText()).matches("evt_[A-Za-z0-9]{24}");
            assertThat(event.get("object").asText()).isEqualTo("event");
            assertThat(event.get("api_version").asText()).isEqualTo("2023-08-16");
            assertThat(event.get("livemode").asBoolean()).isFalse();
            assertThat(event.get("pending_webhooks").asInt()).isZero();
            assertThat(event.get("created").asLong()).isBetween(created.get("created").asLong(),
                    System.currentTimeMillis() / 1000);
            Reply one = events("/" + event.get("id").asText());
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.body()).isEqualTo(event);
        }
    }

    @Test
    void previousAttributesHoldExactlyTheTopLevelFieldsTheChangeAlteredWithTheirFormerValues() {
        String id = create("{\"amount\": 1000, \"currency\": \"usd\", \"capture_method\": \"manual\", "
                + "\"payment_method\": \"pm_card_visa\"}").get("id").asText();
        // an update has no Stripe event, but the next event's "before" includes it
        post("/v1/payment_intents/" + id, "{\"amount\": 1500, \"metadata\": {\"order\": \"7\"}}");
        nextSecond();
        post("/v1/payment_intents/" + id + "/confirm", "{}");
        post("/v1/payment_intents/" + id + "/capture", "{\"amount_to_capture\": 1200}");

        List<JsonNode> events = awaitEvents(3);
        JsonNode succeeded = events.get(0);
        JsonNode authorized = events.get(1);
        JsonNode created = events.get(2);

        assertThat(created.get("data").has("previous_attributes")).isFalse();
        JsonNode previous = authorized.at("/data/previous_attributes");
        assertThat(previous.get("status").asText()).isEqualTo("requires_confirmation");
        assertThat(previous.get("amount_capturable").asLong()).isZero();
        assertThat(previous.get("latest_charge").isNull()).isTrue();
        assertThat(previous.at("/charges/data")).isEmpty();
        assertThat(previous.get("updated_at").asText()).isNotEqualTo(authorized.at("/data/object/updated_at").asText());
        assertThat(fields(previous).keySet()).as("amount and metadata changed before, by the update")
                .containsExactlyInAnyOrder("status", "amount_capturable", "charges", "latest_charge", "updated_at");
        // between two consecutive Stripe events: every field that differs, and nothing else, with its former value
        JsonNode before = authorized.at("/data/object");
        JsonNode after = succeeded.at("/data/object");
        JsonNode changed = succeeded.at("/data/previous_attributes");
        for (Iterator<String> names = before.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (before.get(name).equals(after.get(name))) {
                assertThat(changed.has(name)).as(name).isFalse();
            } else {
                assertThat(changed.get(name)).as(name).isEqualTo(before.get(name));
            }
        }
        assertThat(changed.get("amount_received").asLong()).isZero();
        assertThat(after.get("amount_received").asLong()).isEqualTo(1200);
    }

    @Test
    void anEventNamesTheRequestThatCausedItAndItsIdempotencyKey() {
        String idempotencyKey = "events-create-" + System.nanoTime();
        Reply createReply = post("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                "Idempotency-Key", idempotencyKey);
        String id = createReply.body().get("id").asText();
        Reply confirmReply = post("/v1/payment_intents/" + id + "/confirm", "{\"payment_method\": \"pm_card_visa\"}");

        List<JsonNode> events = awaitEvents(2);

        assertThat(events.get(1).get("request")).isEqualTo(JSON.createObjectNode()
                .put("id", createReply.header("Request-Id")).put("idempotency_key", idempotencyKey));
        assertThat(events.get(0).get("request")).isEqualTo(JSON.createObjectNode()
                .put("id", confirmReply.header("Request-Id")).putNull("idempotency_key"));
    }

    @Test
    void anEventATimerCausedHasNoRequest() {
        Reply confirmed = post("/v1/payment_intents", "{\"amount\": 2300, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_processorTimeout\", \"confirm\": true}");
        assertThat(confirmed.body().get("status").asText()).isEqualTo("processing");

        // the janitor's timer asks the processor again and learns the payment succeeded
        List<JsonNode> events = awaitEvents(3);

        assertThat(types(events)).containsExactly("payment_intent.succeeded", "payment_intent.processing",
                "payment_intent.created");
        assertThat(events.get(0).get("request")).isEqualTo(JSON.createObjectNode()
                .putNull("id").putNull("idempotency_key"));
        assertThat(events.get(1).at("/request/id").asText()).isEqualTo(confirmed.header("Request-Id"));
        assertThat(events.get(0).at("/data/previous_attributes/status").asText()).isEqualTo("processing");
    }

    @Test
    void aDirectDebitSettledByTheTestHelperIsCausedByThatRequest() {
        Reply processing = send("POST", "/v1/payment_intents", "amount=4200&currency=eur"
                        + "&payment_method_types[]=direct_debit&payment_method=pm_direct_debit&confirm=true",
                "Authorization", bearer(key), "Content-Type", "application/x-www-form-urlencoded");
        assertThat(processing.body().get("status").asText()).isEqualTo("processing");
        String id = processing.body().get("id").asText();
        String settleKey = "settle-" + System.nanoTime();
        Reply settled = send("POST", "/v1/test_helpers/payment_intents/" + id + "/settle", "outcome=success",
                "Authorization", bearer(key), "Content-Type", "application/x-www-form-urlencoded",
                "Idempotency-Key", settleKey);
        assertThat(settled.body().get("status").asText()).isEqualTo("succeeded");

        List<JsonNode> events = awaitEvents(3);

        assertThat(types(events)).containsExactly("payment_intent.succeeded", "payment_intent.processing",
                "payment_intent.created");
        assertThat(events.get(0).get("request")).isEqualTo(JSON.createObjectNode()
                .put("id", settled.header("Request-Id")).put("idempotency_key", settleKey));
        assertThat(events.get(0).at("/data/object")).isEqualTo(settled.body());
        assertThat(events.get(0).at("/data/previous_attributes/status").asText()).isEqualTo("processing");
        assertThat(events.get(1).at("/data/object/charges/data/0/status").asText()).isEqualTo("pending");
    }

    /** Three intents: one declined, one canceled, one paid; six events. */
    private void sixEvents() {
        assertThat(post("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_chargeDeclined\", \"confirm\": true}").status()).isEqualTo(402);
        String canceled = create("{\"amount\": 2000, \"currency\": \"usd\"}").get("id").asText();
        post("/v1/payment_intents/" + canceled + "/cancel", "{}");
        create("{\"amount\": 2000, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\", \"confirm\": true}");
        awaitEvents(6);
    }

    @Test
    void typeMatchesExactlyOrWithStarAsWildcardAndTypesTakesAListOfExactTypes() {
        sixEvents();

        Map<String, List<String>> expected = Map.of(
                "?type=payment_intent.created", List.of("payment_intent.created", "payment_intent.created",
                        "payment_intent.created"),
                "?type=payment_intent.*", List.of("payment_intent.succeeded", "payment_intent.created",
                        "payment_intent.canceled", "payment_intent.created", "payment_intent.payment_failed",
                        "payment_intent.created"),
                "?type=*.canceled", List.of("payment_intent.canceled"),
                "?type=payment_intent.payment_*", List.of("payment_intent.payment_failed"),
                "?type=payment_intent_*", List.of(),
                "?type=charge.succeeded", List.of(),
                "?types[]=payment_intent.canceled&types[]=payment_intent.succeeded",
                List.of("payment_intent.succeeded", "payment_intent.canceled"),
                "?types[0]=payment_intent.payment_failed", List.of("payment_intent.payment_failed"));
        expected.forEach((query, types) -> {
            Reply reply = events(query);
            assertThat(reply.status()).as(query).isEqualTo(200);
            List<String> actual = new ArrayList<>();
            reply.body().get("data").forEach(event -> actual.add(event.get("type").asText()));
            assertThat(actual).as(query).isEqualTo(types);
            assertThat(reply.body().get("url").asText()).isEqualTo("/v1/events");
        });
        assertThat(events("?type=*").body().get("data")).hasSize(6);
    }

    @Test
    void createdFiltersTakeAnExactSecondOrBounds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (i > 0) {
                nextSecond();
            }
            create("{\"amount\": 2000, \"currency\": \"usd\"}");
        }
        List<JsonNode> events = awaitEvents(3);
        events.forEach(event -> ids.add(event.get("id").asText()));
        long c3 = events.get(0).get("created").asLong();
        long c2 = events.get(1).get("created").asLong();
        long c1 = events.get(2).get("created").asLong();
        assertThat(c1).isLessThan(c2);
        assertThat(c2).isLessThan(c3);

        assertThat(ids(events("?created=" + c2))).containsExactly(ids.get(1));
        assertThat(ids(events("?created[gt]=" + c1))).containsExactly(ids.get(0), ids.get(1));
        assertThat(ids(events("?created[gte]=" + c2 + "&created[lt]=" + c3))).containsExactly(ids.get(1));
        assertThat(ids(events("?created[lte]=" + c2))).containsExactly(ids.get(1), ids.get(2));
        assertThat(ids(events("?created[lt]=" + c1))).isEmpty();
        assertThat(ids(events("?created[gte]=" + c1 + "&type=payment_intent.created&limit=2")))
                .containsExactly(ids.get(0), ids.get(1));
    }

    @Test
    void cursorsPageBothWaysAndHasMoreSaysWhetherMoreLieInThatDirection() {
        for (int i = 0; i < 5; i++) {
            create("{\"amount\": " + (1000 + i) + ", \"currency\": \"usd\"}");
        }
        List<String> all = awaitEvents(5).stream().map(event -> event.get("id").asText()).toList(); // e5 .. e1

        Reply first = events("?limit=2");
        assertThat(ids(first)).containsExactly(all.get(0), all.get(1));
        assertThat(first.body().get("has_more").asBoolean()).isTrue();
        Reply second = events("?limit=2&starting_after=" + all.get(1));
        assertThat(ids(second)).containsExactly(all.get(2), all.get(3));
        assertThat(second.body().get("has_more").asBoolean()).isTrue();
        Reply last = events("?limit=2&starting_after=" + all.get(3));
        assertThat(ids(last)).containsExactly(all.get(4));
        assertThat(last.body().get("has_more").asBoolean()).isFalse();

        Reply back = events("?limit=2&ending_before=" + all.get(4));
        assertThat(ids(back)).containsExactly(all.get(2), all.get(3));
        assertThat(back.body().get("has_more").asBoolean()).isTrue();
        Reply front = events("?limit=2&ending_before=" + all.get(2));
        assertThat(ids(front)).containsExactly(all.get(0), all.get(1));
        assertThat(front.body().get("has_more").asBoolean()).isFalse();
        assertThat(ids(events("?ending_before=" + all.get(0)))).isEmpty();
        assertThat(ids(events("?limit=100&starting_after=" + all.get(0)))).isEqualTo(all.subList(1, 5));
    }

    @Test
    void anotherAccountsEventsAreMissingEverywhere() {
        String otherKey = newAccountKey();
        Reply theirs = send("POST", "/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                "Authorization", bearer(otherKey), "Content-Type", "application/json");
        assertThat(theirs.status()).isEqualTo(200);
        create("{\"amount\": 3000, \"currency\": \"usd\"}");
        String ours = awaitEvents(1).get(0).get("id").asText();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Reply theirEvents = getAs(otherKey, "/v1/events");
        while (theirEvents.body().get("data").isEmpty() && System.nanoTime() < deadline) {
            pause(50);
            theirEvents = getAs(otherKey, "/v1/events");
        }
        String theirEvent = theirEvents.body().at("/data/0/id").asText();

        assertThat(ids(events("?limit=100"))).containsExactly(ours);
        assertThat(ids(theirEvents)).containsExactly(theirEvent);
        for (String[] call : new String[][]{{"/" + theirEvent, "id"}, {"?starting_after=" + theirEvent,
                "starting_after"}, {"?ending_before=" + theirEvent, "ending_before"}}) {
            Reply reply = events(call[0]);
            assertThat(reply.status()).as(call[0]).isEqualTo(404);
            assertThat(reply.error().get("code").asText()).isEqualTo("resource_missing");
            assertThat(reply.error().get("param").asText()).isEqualTo(call[1]);
            assertThat(reply.error().get("message").asText()).isEqualTo("No such event: '" + theirEvent + "'");
        }
        assertThat(getAs(SECRET_KEY, "/v1/events/" + ours).status()).isEqualTo(404);
    }

    @Test
    void aReplayOfTheEventsProjectionRebuildsTheSameEvents() {
        JsonNode created = create("{\"amount\": 2000, \"currency\": \"usd\", \"capture_method\": \"manual\", "
                + "\"payment_method\": \"pm_card_visa\", \"metadata\": {\"order\": \"9\"}}");
        String id = created.get("id").asText();
        post("/v1/payment_intents/" + id, "{\"description\": \"replayed\"}");
        post("/v1/payment_intents/" + id + "/confirm", "{}");
        post("/v1/payment_intents/" + id + "/cancel", "{}");
        List<JsonNode> before = awaitEvents(3);
        assertThat(types(before)).containsExactly("payment_intent.canceled",
                "payment_intent.amount_capturable_updated", "payment_intent.created");

        TrackingEventProcessor processor = axon.eventProcessingConfiguration()
                .eventProcessor(StripeEventProjection.PROCESSING_GROUP, TrackingEventProcessor.class).orElseThrow();
        processor.shutDown();
        processor.resetTokens();
        processor.start();

        // the reset empties the table; the replay of the whole event store (every test's so far) fills it again
        List<JsonNode> after = awaitEvents("?limit=100", data -> data.size() >= 3, Duration.ofMinutes(3));
        assertThat(after).isEqualTo(before);
        for (JsonNode event : before) {
            assertThat(events("/" + event.get("id").asText()).body()).isEqualTo(event);
        }
    }

    @Test
    void theEventsProcessorIsATrackingProcessorThatRetriesAFailingEventRatherThanSkippingIt() {
        assertThat(axon.eventProcessingConfiguration()
                .eventProcessor(StripeEventProjection.PROCESSING_GROUP, TrackingEventProcessor.class)).isPresent();
        assertThat(axon.eventProcessingConfiguration()
                .listenerInvocationErrorHandler(StripeEventProjection.PROCESSING_GROUP))
                .isInstanceOf(PropagatingErrorHandler.class);
    }

    @Test
    void badParametersGetStripesErrorsAndChangeNothing() {
        String id = create("{\"amount\": 2000, \"currency\": \"usd\"}").get("id").asText();
        String event = awaitEvents(1).get(0).get("id").asText();
        long storedEvents = eventCount(id);
        String twentyOneTypes = String.join("&", java.util.Collections.nCopies(21, "types[]=payment_intent.created"));

        record Case(String query, int status, String code, String param, String message) {
        }
        List<Case> cases = List.of(
                new Case("?limit=0", 400, "parameter_invalid_integer", "limit", "Invalid limit: must be between 1 and 100"),
                new Case("?limit=101", 400, "parameter_invalid_integer", "limit", "Invalid limit: must be between 1 and 100"),
                new Case("?limit=ten", 400, "parameter_invalid_integer", "limit", "Invalid integer: ten"),
                new Case("?starting_after=" + event + "&ending_before=" + event, 400, "parameter_invalid_string",
                        "ending_before", "Received both starting_after and ending_before parameters. Please pass in only one."),
                new Case("?starting_after=", 400, "parameter_invalid_empty", "starting_after",
                        "You passed an empty string for 'starting_after'. We assume empty values are an attempt to "
                                + "unset a parameter; however 'starting_after' cannot be unset. You should remove "
                                + "'starting_after' from your request or supply a non-empty value."),
                new Case("?starting_after=evt_missing", 404, "resource_missing", "starting_after",
                        "No such event: 'evt_missing'"),
                new Case("?ending_before=pi_123", 404, "resource_missing", "ending_before", "No such event: 'pi_123'"),
                new Case("?type=payment_intent.created&types[]=payment_intent.canceled", 400, "parameters_exclusive",
                        "types", "You may pass either type or types, but not both."),
                new Case("?" + twentyOneTypes, 400, "parameter_invalid_string", "types",
                        "Invalid array: types may have at most 20 elements"),
                new Case("?types=payment_intent.created", 400, "parameter_invalid_string", "types",
                        "Invalid array: types must be an array of strings"),
                new Case("?types[]=", 400, "parameter_invalid_string", "types[0]", "Invalid string: "),
                new Case("?type=", 400, "parameter_invalid_empty", "type",
                        "You passed an empty string for 'type'. We assume empty values are an attempt to unset a "
                                + "parameter; however 'type' cannot be unset. You should remove 'type' from your "
                                + "request or supply a non-empty value."),
                new Case("?created=yesterday", 400, "parameter_invalid_integer", "created", "Invalid integer: yesterday"),
                new Case("?created[gte]=soon", 400, "parameter_invalid_integer", "created[gte]", "Invalid integer: soon"),
                new Case("?created[since]=1", 400, "parameter_unknown", "created[since]",
                        "Received unknown parameter: created[since]"),
                new Case("?expand[]=data.object", 400, "parameter_invalid_string", "expand",
                        "This property cannot be expanded (data.object)."),
                new Case("?delivery_success=true", 400, "parameter_unknown", "delivery_success",
                        "Received unknown parameter: delivery_success"),
                new Case("/evt_ok?limit=1", 400, "parameter_unknown", "limit", "Received unknown parameter: limit"),
                new Case("/not_an_event?limit=1", 404, "resource_missing", "id", "No such event: 'not_an_event'"),
                new Case("/evt_", 404, "resource_missing", "id", "No such event: 'evt_'"),
                new Case("/evt_unknown", 404, "resource_missing", "id", "No such event: 'evt_unknown'"));
        for (Case c : cases) {
            Reply reply = events(c.query());
            assertThat(reply.status()).as(c.query() + " " + reply.body()).isEqualTo(c.status());
            assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(reply.error().get("code").asText()).as(c.query()).isEqualTo(c.code());
            assertThat(reply.error().get("param").asText()).as(c.query()).isEqualTo(c.param());
            assertThat(reply.error().get("message").asText()).as(c.query()).isEqualTo(c.message());
        }

        for (String path : List.of("/v1/events", "/v1/events/" + event, "/v1/events/export?created=1")) {
            Reply publishable = send("GET", path, null, "Authorization", bearer(PUBLISHABLE_KEY));
            assertThat(publishable.status()).as(path).isEqualTo(403);
            assertThat(publishable.error().get("code").asText()).isEqualTo("secret_key_required");
            assertThat(send("GET", path, null).status()).as(path).isEqualTo(401);
        }
        assertThat(eventCount(id)).isEqualTo(storedEvents);
        assertThat(ids(events("?limit=100"))).containsExactly(event);
    }
}
