package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.IssuedKey;
import io.paymentintents.gateway.auth.KeyKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit trail ({@code GET /v1/payment_intents/{id}/history}), the past of an intent ({@code as_of}) and the
 * JSON Lines exports, all read from the event store, over real HTTP. Each test has an account of its own.
 */
class PaymentIntentHistoryTest extends ServiceTest {

    private static final HttpClient RAW = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Autowired
    private ApiKeyRegistry registry;

    private String accountId;
    private IssuedKey key;

    @BeforeEach
    void accountOfItsOwn() {
        accountId = registry.createAccount("History test " + System.nanoTime()).id();
        key = registry.issue(accountId, KeyKind.SECRET);
    }

    private Reply get(String apiKey, String path) {
        return send("GET", path, null, "Authorization", bearer(apiKey));
    }

    private Reply getOwn(String path) {
        return get(key.key(), path);
    }

    private Reply post(String path, String json, String... headers) {
        List<String> all = new ArrayList<>(List.of("Authorization", bearer(key.key()),
                "Content-Type", "application/json"));
        all.addAll(List.of(headers));
        Reply reply = send("POST", path, json, all.toArray(String[]::new));
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        return reply;
    }

    /** A response read as text, as a JSON Lines client reads it. */
    private HttpResponse<String> raw(String apiKey, String path) {
        try {
            return RAW.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", bearer(apiKey)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Each line of a JSON Lines body, parsed on its own. */
    private static List<JsonNode> lines(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
        String body = response.body();
        assertThat(body.isEmpty() || body.endsWith("\n")).as("every line ends with a newline").isTrue();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : body.lines().toList()) {
            try {
                lines.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }
        return lines;
    }

    private static List<JsonNode> data(Reply reply) {
        List<JsonNode> data = new ArrayList<>();
        reply.body().get("data").forEach(data::add);
        return data;
    }

    private static long epochSecond(JsonNode isoTime) {
        return Instant.parse(isoTime.asText()).getEpochSecond();
    }

    private static void assertError(Reply reply, int status, String code, String param, String message) {
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(status);
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(reply.error().path("code").asText(null)).isEqualTo(code);
        assertThat(reply.error().path("param").asText(null)).isEqualTo(param);
        assertThat(reply.error().get("message").asText()).isEqualTo(message);
    }

    @Test
    void theHistoryListsEveryStoredEventInOrderWithItsPayloadAndAuditMetadata() {
        String idempotencyKey = "history-" + System.nanoTime();
        Reply created = post("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\", \"capture_method\": "
                + "\"manual\", \"payment_method\": \"pm_card_visa\"}", "Idempotency-Key", idempotencyKey,
                "User-Agent", "history-test/1.0");
        String id = created.body().get("id").asText();
        Reply updated = post("/v1/payment_intents/" + id, "{\"description\": \"audited\"}");
        Reply confirmed = post("/v1/payment_intents/" + id + "/confirm", "{}");

        Reply history = getOwn("/v1/payment_intents/" + id + "/history");

        assertThat(history.status()).isEqualTo(200);
        assertThat(history.body().get("object").asText()).isEqualTo("list");
        assertThat(history.body().get("has_more").asBoolean()).isFalse();
        assertThat(history.body().get("url").asText()).isEqualTo("/v1/payment_intents/" + id + "/history");
        List<JsonNode> entries = data(history);
        assertThat(entries).hasSize((int) eventCount(id)).hasSize(3);
        assertThat(entries).extracting(e -> e.get("type").asText()).containsExactly("PaymentIntentCreated",
                "PaymentIntentUpdated", "PaymentIntentAmountCapturableUpdated");
        assertThat(entries).extracting(e -> e.get("stripe_type").asText(null)).containsExactly(
                "payment_intent.created", null, "payment_intent.amount_capturable_updated");
        List<Map<String, Object>> stored = jdbc.queryForList("SELECT sequence_number, time_stamp, "
                + "convert_from(payload, 'UTF8') AS payload FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "ORDER BY sequence_number", id);
        List<Reply> requests = List.of(created, updated, confirmed);
        for (int i = 0; i < 3; i++) {
            JsonNode entry = entries.get(i);
            assertThat(entry.get("object").asText()).isEqualTo("stored_event");
            assertThat(entry.get("payment_intent").asText()).isEqualTo(id);
            assertThat(entry.get("sequence").asLong()).isEqualTo(i);
            assertThat(entry.get("payload")).isEqualTo(readTree(stored.get(i).get("payload").toString()));
            Instant storedAt = Instant.parse(stored.get(i).get("time_stamp").toString());
            assertThat(Instant.parse(entry.get("created_at").asText())).isEqualTo(storedAt);
            assertThat(entry.get("created").asLong()).isEqualTo(storedAt.getEpochSecond());
            JsonNode metadata = entry.get("metadata");
            assertThat(metadata.get("account").asText()).isEqualTo(accountId);
            assertThat(metadata.get("key_id").asText()).isEqualTo(key.info().id());
            assertThat(metadata.get("request_id").asText()).isEqualTo(requests.get(i).header("Request-Id"));
            assertThat(metadata.get("client_ip").asText()).isEqualTo("127.0.0.1");
        }
        assertThat(entries.get(0).at("/payload/amount").asLong()).isEqualTo(2000);
        assertThat(entries.get(1).at("/payload/description").asText()).isEqualTo("audited");
        assertThat(entries.get(0).at("/metadata/idempotency_key").asText()).isEqualTo(idempotencyKey);
        assertThat(entries.get(1).at("/metadata/idempotency_key").isNull()).isTrue();
        assertThat(entries.get(0).at("/metadata/user_agent").asText()).isEqualTo("history-test/1.0");
        assertThat(entries.get(1).get("stripe_event").isNull()).isTrue();

        List<JsonNode> events = eventually(() -> data(getOwn("/v1/events")), list -> list.size() == 2);
        assertThat(entries.get(2).get("stripe_event").asText()).isEqualTo(events.get(0).get("id").asText());
        assertThat(entries.get(0).get("stripe_event").asText()).isEqualTo(events.get(1).get("id").asText());
    }

    @Test
    void asOfShowsTheIntentAsRetrieveShowedItAtEachMomentOfItsJourney() {
        String id = post("/v1/payment_intents", "{\"amount\": 3100, \"currency\": \"eur\", \"capture_method\": "
                + "\"manual\", \"payment_method\": \"pm_card_visa\", \"metadata\": {\"step\": \"1\"}}")
                .body().get("id").asText();
        JsonNode atCreation = getOwn("/v1/payment_intents/" + id).body();
        JsonNode atCreationExpanded = getOwn("/v1/payment_intents/" + id + "?expand[]=latest_charge").body();
        EventsApiTest.nextSecond();
        post("/v1/payment_intents/" + id + "/confirm", "{}");
        JsonNode atConfirmation = getOwn("/v1/payment_intents/" + id).body();
        JsonNode atConfirmationExpanded = getOwn("/v1/payment_intents/" + id + "?expand[]=latest_charge").body();
        EventsApiTest.nextSecond();
        post("/v1/payment_intents/" + id + "/capture", "{\"amount_to_capture\": 3000}");
        JsonNode atCapture = getOwn("/v1/payment_intents/" + id).body();

        long created = atCreation.get("created").asLong();
        long confirmedAt = epochSecond(atConfirmation.get("updated_at"));
        long capturedAt = epochSecond(atCapture.get("updated_at"));
        assertThat(created).isLessThan(confirmedAt);
        assertThat(confirmedAt).isLessThan(capturedAt);

        assertThat(getOwn("/v1/payment_intents/" + id + "?as_of=" + created).body()).isEqualTo(atCreation);
        assertThat(getOwn("/v1/payment_intents/" + id + "?as_of=" + confirmedAt).body()).isEqualTo(atConfirmation);
        assertThat(getOwn("/v1/payment_intents/" + id + "?as_of=" + (capturedAt - 1)).body())
                .isEqualTo(atConfirmation);
        assertThat(getOwn("/v1/payment_intents/" + id + "?as_of=" + capturedAt).body()).isEqualTo(atCapture);
        assertThat(getOwn("/v1/payment_intents/" + id + "?as_of=99999999999").body()).isEqualTo(atCapture);
        assertThat(getOwn("/v1/payment_intents/" + id + "?as_of=" + created + "&expand[]=latest_charge").body())
                .isEqualTo(atCreationExpanded);
        assertThat(getOwn("/v1/payment_intents/" + id + "?expand[]=latest_charge&as_of=" + confirmedAt).body())
                .isEqualTo(atConfirmationExpanded);
        assertError(getOwn("/v1/payment_intents/" + id + "?as_of=" + (created - 1)), 404, "resource_missing",
                "intent", "No such payment_intent: '" + id + "'");
        assertError(getOwn("/v1/payment_intents/" + id + "?as_of=-5"), 404, "resource_missing", "intent",
                "No such payment_intent: '" + id + "'");
    }

    @Test
    void theHistoryAndAsOfIncludeTheEventsBeforeTheIntentsSnapshot() {
        String id = post("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}").body().get("id").asText();
        for (int i = 1; i <= 55; i++) {
            post("/v1/payment_intents/" + id, "{\"metadata\": {\"n\": \"" + i + "\"}}");
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM snapshot_event_entry WHERE aggregate_identifier = ?",
                Long.class, id)).as("a snapshot was taken").isPositive();

        List<JsonNode> entries = data(getOwn("/v1/payment_intents/" + id + "/history"));

        assertThat(entries).hasSize(56);
        assertThat(entries).extracting(e -> e.get("sequence").asLong())
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 56).boxed().toList());
        assertThat(entries.get(0).get("type").asText()).isEqualTo("PaymentIntentCreated");
        assertThat(getOwn("/v1/payment_intents/" + id + "?as_of=99999999999").body())
                .isEqualTo(getOwn("/v1/payment_intents/" + id).body());
    }

    @Test
    void theHistoryAsJsonLinesHoldsTheSameEntriesOneJsonObjectPerLine() {
        String id = post("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\", \"payment_method\": "
                + "\"pm_card_visa\", \"confirm\": true, \"description\": \"line\\nbreak and \\u00e9\"}")
                .body().get("id").asText();
        post("/v1/payment_intents/" + id, "{\"metadata\": {\"note\": \"{\\\"json\\\": [1, 2]}\"}}");

        List<JsonNode> lines = lines(raw(key.key(), "/v1/payment_intents/" + id + "/history?format=jsonl"));

        assertThat(lines).hasSize(3).isEqualTo(data(getOwn("/v1/payment_intents/" + id + "/history")));
        assertThat(lines.get(0).at("/payload/description").asText()).isEqualTo("line\nbreak and \u00e9");
        assertThat(data(getOwn("/v1/payment_intents/" + id + "/history?format=json"))).isEqualTo(lines);
    }

    @Test
    void anExportStreamsTheAccountsStoredEventsOfARangeInStoreOrder() {
        long start = Instant.now().getEpochSecond();
        String first = post("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}")
                .body().get("id").asText();
        String second = post("/v1/payment_intents", "{\"amount\": 2100, \"currency\": \"usd\"}")
                .body().get("id").asText();
        post("/v1/payment_intents/" + first + "/confirm", "{\"payment_method\": \"pm_card_visa\"}");
        post("/v1/payment_intents/" + second + "/cancel", "{}");
        String someoneElses = createIntent("{\"amount\": 2200, \"currency\": \"usd\"}");
        long end = Instant.now().getEpochSecond() + 1;

        List<JsonNode> lines = lines(raw(key.key(), "/v1/events/export?created[gte]=" + start
                + "&created[lt]=" + end));

        List<String> storeOrder = jdbc.queryForList("SELECT aggregate_identifier || '#' || sequence_number "
                + "FROM domain_event_entry WHERE aggregate_identifier IN (?, ?) ORDER BY global_index",
                String.class, first, second);
        assertThat(lines).extracting(line -> line.get("payment_intent").asText() + "#" + line.get("sequence").asLong())
                .isEqualTo(storeOrder).hasSize(4);
        assertThat(lines).noneMatch(line -> line.get("payment_intent").asText().equals(someoneElses));
        List<JsonNode> histories = new ArrayList<>(data(getOwn("/v1/payment_intents/" + first + "/history")));
        histories.addAll(data(getOwn("/v1/payment_intents/" + second + "/history")));
        assertThat(lines).containsExactlyInAnyOrderElementsOf(histories);

        assertThat(lines(raw(key.key(), "/v1/events/export?created[gte]=" + (start - 3600) + "&created[lt]="
                + start))).isEmpty();
        assertThat(lines(raw(key.key(), "/v1/events/export?created[gt]=" + (start - 1) + "&created[lte]="
                + end))).isEqualTo(lines);
        assertThat(lines(raw(key.key(), "/v1/events/export?created[gte]=" + end + "&created[lt]="
                + (end + 3600)))).as("nothing is stored in the future: the export ends now").isEmpty();
    }

    @Test
    void anotherAccountsIntentHasNoHistoryAndNoPastAndPublishableKeysSeeNeither() {
        Reply mine = send("POST", "/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json");
        String theirs = mine.body().get("id").asText();
        String now = String.valueOf(Instant.now().getEpochSecond() + 60);

        for (String path : List.of("/history", "/history?format=jsonl", "?as_of=" + now)) {
            assertError(getOwn("/v1/payment_intents/" + theirs + path), 404, "resource_missing", "intent",
                    "No such payment_intent: '" + theirs + "'");
        }
        assertThat(get(SECRET_KEY, "/v1/payment_intents/" + theirs + "/history").status()).isEqualTo(200);

        String clientSecret = mine.body().get("client_secret").asText();
        Reply publishable = get(PUBLISHABLE_KEY, "/v1/payment_intents/" + theirs + "?client_secret=" + clientSecret
                + "&as_of=" + now);
        assertError(publishable, 403, "secret_key_required", null, publishable.error().get("message").asText());
        assertThat(get(PUBLISHABLE_KEY, "/v1/payment_intents/" + theirs + "?client_secret=" + clientSecret)
                .status()).isEqualTo(200);
        for (String path : List.of("/history", "/history?format=jsonl")) {
            assertThat(get(PUBLISHABLE_KEY, "/v1/payment_intents/" + theirs + path).status()).isEqualTo(403);
        }
    }

    @Test
    void badParametersGetStripesErrorsAndChangeNothing() {
        String id = post("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}").body().get("id").asText();
        long storedEvents = eventCount(id);
        String intent = "/v1/payment_intents/" + id;
        String emptyFormat = "You passed an empty string for 'format'. We assume empty values are an attempt to "
                + "unset a parameter; however 'format' cannot be unset. You should remove 'format' from your "
                + "request or supply a non-empty value.";

        assertError(getOwn("/v1/payment_intents/pi_!/history"), 404, "resource_missing", "intent",
                "No such payment_intent: 'pi_!'");
        assertError(getOwn("/v1/payment_intents/ch_123/history?format=xml"), 404, "resource_missing", "intent",
                "No such payment_intent: 'ch_123'");
        assertError(getOwn(intent + "/history?format=xml"), 400, "parameter_invalid_string", "format",
                "Invalid format: must be one of json, jsonl");
        assertError(getOwn(intent + "/history?format="), 400, "parameter_invalid_empty", "format", emptyFormat);
        assertError(getOwn(intent + "/history?limit=1"), 400, "parameter_unknown", "limit",
                "Received unknown parameter: limit");
        assertError(getOwn(intent + "/history?format=jsonl&as_of=1"), 400, "parameter_unknown", "as_of",
                "Received unknown parameter: as_of");
        assertError(send("GET", intent + "/history", null, "Authorization", bearer(key.key()),
                "Accept", "application/x-ndjson"), 400, null, null, "This API answers with application/json only.");

        assertError(getOwn(intent + "?as_of=yesterday"), 400, "parameter_invalid_integer", "as_of",
                "Invalid integer: yesterday");
        assertError(getOwn(intent + "?as_of=1700000000.5"), 400, "parameter_invalid_integer", "as_of",
                "Invalid integer: 1700000000.5");
        assertError(getOwn(intent + "?as_of[lt]=1"), 400, "parameter_invalid_integer", "as_of",
                "Invalid integer: {...}");
        assertError(getOwn(intent + "?as_of="), 400, "parameter_invalid_empty", "as_of",
                "You passed an empty string for 'as_of'. We assume empty values are an attempt to unset a "
                        + "parameter; however 'as_of' cannot be unset. You should remove 'as_of' from your request "
                        + "or supply a non-empty value.");

        String export = "/v1/events/export";
        assertError(getOwn(export), 400, "parameter_missing", "created[gte]", "Missing required param: created[gte].");
        assertError(getOwn(export + "?created[lt]=1700000000"), 400, "parameter_missing", "created[gte]",
                "Missing required param: created[gte].");
        assertError(getOwn(export + "?created[gte]=1700000000"), 400, "parameter_missing", "created[lt]",
                "Missing required param: created[lt].");
        assertError(getOwn(export + "?created[gte]=1700000000&created[lt]=" + (1700000000 + 31 * 86400 + 1)), 400,
                "parameter_invalid_integer", "created", "Invalid created: an export may span at most 31 days "
                        + "(2678400 seconds); export a longer period in several requests.");
        assertError(getOwn(export + "?created[gte]=-999999999999999999&created[lt]=999999999999999999"), 400,
                "parameter_invalid_integer", "created", "Invalid created: an export may span at most 31 days "
                        + "(2678400 seconds); export a longer period in several requests.");
        assertError(getOwn(export + "?created[gte]=soon&created[lt]=1"), 400, "parameter_invalid_integer",
                "created[gte]", "Invalid integer: soon");
        assertError(getOwn(export + "?created[after]=1"), 400, "parameter_unknown", "created[after]",
                "Received unknown parameter: created[after]");
        assertError(getOwn(export + "?created=1&type=payment_intent.created"), 400, "parameter_unknown", "type",
                "Received unknown parameter: type");
        assertThat(lines(raw(key.key(), export + "?created=1700000000"))).isEmpty();
        assertThat(lines(raw(key.key(), export + "?created[gte]=5&created[lt]=5"))).isEmpty();

        assertThat(eventCount(id)).isEqualTo(storedEvents);
        assertThat(getOwn(intent).body().get("status").asText()).isEqualTo("requires_payment_method");
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T eventually(java.util.function.Supplier<T> read, java.util.function.Predicate<T> ready) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        T value = read.get();
        while (!ready.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not ready in time: " + value);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            value = read.get();
        }
        return value;
    }
}
