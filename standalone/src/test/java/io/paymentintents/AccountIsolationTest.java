package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import io.paymentintents.gateway.auth.Account;
import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.KeyKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key of one account never sees or changes another account's intents: every endpoint answers 404 exactly as for
 * an intent that does not exist, and lists, search and cursors are scoped. The second account and its key are made
 * through the service's own {@link ApiKeyRegistry}, in the shared test database.
 */
class AccountIsolationTest extends ServiceTest {

    private static Account other;
    private static String otherSecretKey;

    @Autowired
    private ApiKeyRegistry registry;

    @BeforeEach
    void secondAccount() {
        if (other == null) {
            other = registry.createAccount("Isolation test shop");
            otherSecretKey = registry.issue(other.id(), KeyKind.SECRET).key();
        }
    }

    private Reply asOther(String method, String path, String json) {
        return json == null ? send(method, path, null, "Authorization", bearer(otherSecretKey))
                : send(method, path, json, "Authorization", bearer(otherSecretKey), "Content-Type", "application/json");
    }

    private String createAsOther(String json) {
        Reply reply = asOther("POST", "/v1/payment_intents", json);
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        return reply.body().get("id").asText();
    }

    private static void assertNoSuchIntent(Reply reply, String id) {
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(404);
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(reply.error().get("code").asText()).isEqualTo("resource_missing");
        assertThat(reply.error().get("param").asText()).isEqualTo("intent");
        assertThat(reply.error().get("message").asText()).isEqualTo("No such payment_intent: '" + id + "'");
        assertThat(reply.error().has("payment_intent")).isFalse();
    }

    @Test
    void anotherAccountsIntentIsMissingOnEveryEndpointAndNothingIsWritten() {
        String id = createIntent("{\"amount\": 2000, \"currency\": \"usd\", \"capture_method\": \"manual\", "
                + "\"payment_method\": \"pm_card_visa\", \"metadata\": {\"order\": \"42\"}}");
        long eventsBefore = eventCount(id);

        List<Reply> replies = List.of(
                asOther("GET", "/v1/payment_intents/" + id, null),
                asOther("POST", "/v1/payment_intents/" + id, "{\"description\": \"taken over\"}"),
                asOther("POST", "/v1/payment_intents/" + id + "/confirm", "{}"),
                asOther("POST", "/v1/payment_intents/" + id + "/cancel", "{}"),
                asOther("POST", "/v1/payment_intents/" + id + "/capture", "{}"));

        replies.forEach(reply -> assertNoSuchIntent(reply, id));
        // the same answer, byte for byte, as for an id that exists nowhere
        String unknown = "pi_doesnotexist" + id.substring(15);
        Reply missing = asOther("GET", "/v1/payment_intents/" + unknown, null);
        assertThat(replies.get(0).error().toString().replace(id, "ID"))
                .isEqualTo(missing.error().toString().replace(unknown, "ID"));
        assertThat(eventCount(id)).isEqualTo(eventsBefore);
        Reply own = get("/v1/payment_intents/" + id);
        assertThat(own.body().get("status").asText()).isEqualTo("requires_confirmation");
        assertThat(own.body().get("description").isNull()).isTrue();
    }

    @Test
    void theDefaultAccountCannotReachTheOtherAccountsIntentEither() {
        String id = createAsOther("{\"amount\": 1500, \"currency\": \"eur\", \"capture_method\": \"manual\"}");

        assertNoSuchIntent(get("/v1/payment_intents/" + id), id);
        assertNoSuchIntent(postJson("/v1/payment_intents/" + id, "{\"amount\": 1600}"), id);
        assertNoSuchIntent(postJson("/v1/payment_intents/" + id + "/confirm",
                "{\"payment_method\": \"pm_card_visa\"}"), id);
        assertNoSuchIntent(postJson("/v1/payment_intents/" + id + "/cancel", "{}"), id);
        assertNoSuchIntent(postJson("/v1/payment_intents/" + id + "/capture", "{}"), id);

        Reply own = asOther("GET", "/v1/payment_intents/" + id, null);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.body().get("amount").asLong()).isEqualTo(1500);
        assertThat(own.body().get("status").asText()).isEqualTo("requires_payment_method");
    }

    @Test
    void listsShowOnlyTheCallersIntents() {
        String customer = "cus_isolation_" + System.nanoTime();
        List<String> mine = new ArrayList<>();
        List<String> theirs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mine.add(createIntent("{\"amount\": 1000, \"currency\": \"usd\", \"customer\": \"" + customer + "\"}"));
            theirs.add(createAsOther("{\"amount\": 1000, \"currency\": \"usd\", \"customer\": \"" + customer + "\"}"));
        }

        assertThat(ids(get("/v1/payment_intents?limit=100&customer=" + customer)))
                .containsExactlyInAnyOrderElementsOf(mine);
        assertThat(ids(asOther("GET", "/v1/payment_intents?limit=100&customer=" + customer, null)))
                .containsExactlyInAnyOrderElementsOf(theirs);
        // unfiltered, too: every intent the other account sees is its own
        assertThat(ids(asOther("GET", "/v1/payment_intents?limit=100", null))).containsAll(theirs)
                .doesNotContainAnyElementsOf(mine)
                .allSatisfy(id -> assertThat(jdbc.queryForObject(
                        "SELECT account_id FROM payment_intents WHERE id = ?", String.class, id))
                        .isEqualTo(other.id()));
        assertThat(ids(get("/v1/payment_intents?limit=100"))).doesNotContainAnyElementsOf(theirs);
    }

    @Test
    void searchShowsOnlyTheCallersIntentsAndCountsOnlyThem() {
        String customer = "cus_isolation_search_" + System.nanoTime();
        String mine = createIntent("{\"amount\": 1000, \"currency\": \"usd\", \"customer\": \"" + customer + "\"}");
        String theirs = createAsOther("{\"amount\": 1000, \"currency\": \"usd\", \"customer\": \"" + customer
                + "\"}");
        String query = "/v1/payment_intents/search?query="
                + URLEncoder.encode("customer:\"" + customer + "\"", StandardCharsets.UTF_8);

        Reply asDefault = get(query);
        Reply asOtherAccount = asOther("GET", query, null);

        assertThat(ids(asDefault)).containsExactly(mine);
        assertThat(asDefault.body().get("total_count").asLong()).isEqualTo(1);
        assertThat(ids(asOtherAccount)).containsExactly(theirs);
        assertThat(asOtherAccount.body().get("total_count").asLong()).isEqualTo(1);
    }

    @Test
    void anotherAccountsIntentIsNoListCursor() {
        String theirs = createAsOther("{\"amount\": 1000, \"currency\": \"usd\"}");
        String mine = createIntent("{\"amount\": 1000, \"currency\": \"usd\"}");

        for (String cursor : List.of("starting_after", "ending_before")) {
            Reply reply = get("/v1/payment_intents?" + cursor + "=" + theirs);
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.error().get("code").asText()).isEqualTo("resource_missing");
            assertThat(reply.error().get("param").asText()).isEqualTo(cursor);
            assertThat(reply.error().get("message").asText()).isEqualTo("No such payment_intent: '" + theirs + "'");

            Reply reverse = asOther("GET", "/v1/payment_intents?" + cursor + "=" + mine, null);
            assertThat(reverse.status()).isEqualTo(404);
            assertThat(reverse.error().get("param").asText()).isEqualTo(cursor);
        }
    }

    @Test
    void theSameIdempotencyKeyInTwoAccountsMakesTwoIntents() {
        String key = "isolation-" + System.nanoTime();
        Reply mine = send("POST", "/v1/payment_intents", "{\"amount\": 1000, \"currency\": \"usd\"}",
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json", "Idempotency-Key", key);
        Reply theirs = send("POST", "/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                "Authorization", bearer(otherSecretKey), "Content-Type", "application/json", "Idempotency-Key", key);

        assertThat(mine.status()).isEqualTo(200);
        assertThat(theirs.status()).isEqualTo(200);
        assertThat(theirs.body().get("id").asText()).isNotEqualTo(mine.body().get("id").asText());
        assertThat(theirs.body().get("amount").asLong()).isEqualTo(2000);
    }

    private static List<String> ids(Reply reply) {
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode intent : reply.body().get("data")) {
            ids.add(intent.get("id").asText());
        }
        return ids;
    }
}
