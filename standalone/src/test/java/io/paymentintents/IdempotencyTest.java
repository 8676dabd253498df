package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import io.paymentintents.gateway.idempotency.IdempotentRequests;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Stripe's Idempotency-Key semantics, over real HTTP on the real store. */
class IdempotencyTest extends ServiceTest {

    @Autowired
    private IdempotentRequests idempotentRequests;

    private Reply keyedJson(String path, String json, String key) {
        return send("POST", path, json, "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json",
                "Idempotency-Key", key);
    }

    private Reply keyedForm(String path, String form, String key) {
        return send("POST", path, form, "Authorization", bearer(SECRET_KEY),
                "Content-Type", "application/x-www-form-urlencoded", "Idempotency-Key", key);
    }

    private static String key() {
        return "key-" + UUID.randomUUID();
    }

    @Test
    void aRetryReplaysTheFirstResponseAndActsOnce() {
        String key = key();
        Reply first = keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_visa\", \"confirm\": true}", key);
        Reply second = keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_visa\", \"confirm\": true}", key);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(second.body()).isEqualTo(first.body()); // the client secret included, derived again
        assertThat(eventCount(first.body().get("id").asText())).isEqualTo(2);
        String stored = jdbc.queryForObject("SELECT response_body FROM idempotency_keys WHERE idempotency_key = ?",
                String.class, key);
        assertThat(stored).doesNotContain(first.body().get("client_secret").asText());
    }

    @Test
    void theSameContentAsJsonOrAsAFormIsTheSameRequest() {
        String key = key();
        Reply json = keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\", \"metadata\": "
                + "{\"order\": \"7\"}, \"confirm\": false}", key);
        Reply form = keyedForm("/v1/payment_intents", "amount=1500&currency=usd&metadata[order]=7&confirm=false", key);

        assertThat(form.status()).isEqualTo(200);
        assertThat(form.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(form.body().get("id")).isEqualTo(json.body().get("id"));
    }

    @Test
    void otherParametersWithTheSameKeyAreAnIdempotencyError() {
        String key = key();
        keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\"}", key);
        long before = eventCount();

        Reply other = keyedJson("/v1/payment_intents", "{\"amount\": 1600, \"currency\": \"usd\"}", key);

        assertThat(other.status()).isEqualTo(400);
        assertThat(other.error().get("type").asText()).isEqualTo("idempotency_error");
        assertThat(other.error().get("message").asText()).isEqualTo("Keys for idempotent requests can only be used "
                + "with the same parameters they were first used with. Try using a key other than '" + key
                + "' if you meant to execute a different request.");
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void theSameKeyOnAnotherEndpointIsAnIdempotencyError() {
        String key = key();
        Reply created = keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\"}", key);
        String id = created.body().get("id").asText();

        Reply cancel = keyedJson("/v1/payment_intents/" + id + "/cancel", "{}", key);

        assertThat(cancel.status()).isEqualTo(400);
        assertThat(cancel.error().get("type").asText()).isEqualTo("idempotency_error");
        assertThat(get("/v1/payment_intents/" + id).body().get("status").asText()).isEqualTo("requires_payment_method");
    }

    @Test
    void aRejectedValidationIsNotStoredSoTheKeyStaysUsable() {
        String key = key();
        Reply invalid = keyedJson("/v1/payment_intents", "{\"amount\": -5, \"currency\": \"usd\"}", key);
        Reply unauthenticated = send("POST", "/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\"}",
                "Content-Type", "application/json", "Idempotency-Key", key);
        Reply valid = keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\"}", key);

        assertThat(invalid.status()).isEqualTo(400);
        assertThat(unauthenticated.status()).isEqualTo(401);
        assertThat(valid.status()).isEqualTo(200);
        assertThat(valid.header("Idempotent-Replayed")).isNull();
    }

    @Test
    void anErrorAfterExecutionStartedIsStoredAndReplayed() {
        String id = createIntent("{\"amount\": 1500, \"currency\": \"usd\"}");
        String key = key();

        Reply declined = keyedJson("/v1/payment_intents/" + id + "/confirm",
                "{\"payment_method\": \"pm_card_chargeDeclined\"}", key);
        Reply replayed = keyedJson("/v1/payment_intents/" + id + "/confirm",
                "{\"payment_method\": \"pm_card_chargeDeclined\"}", key);

        assertThat(declined.status()).isEqualTo(402);
        assertThat(replayed.status()).isEqualTo(402);
        assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.body()).isEqualTo(declined.body());
        assertThat(eventCount(id)).isEqualTo(2);
    }

    @Test
    void aReplayedServerErrorStillTellsTheClientToRetry() {
        String key = key();
        java.util.Map<String, Object> parameters = new java.util.LinkedHashMap<>();
        parameters.put("amount", 1500L);
        parameters.put("currency", "usd");
        String hash = io.paymentintents.gateway.idempotency.IdempotentRequest.of("acct_default", key,
                "POST /v1/payment_intents", parameters, false).parametersHash();
        jdbc.update("INSERT INTO idempotency_keys (account_id, idempotency_key, endpoint, request_hash, state, "
                + "response_status, response_body, created_at, claimed_at) VALUES ('acct_default', ?, "
                + "'POST /v1/payment_intents', ?, 'complete', 500, '{\"error\": {\"type\": \"api_error\", "
                + "\"message\": \"An unexpected error occurred on our side.\"}}', now(), now())", key, hash);

        Reply replay = keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\"}", key);

        assertThat(replay.status()).isEqualTo(500);
        assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replay.header("Stripe-Should-Retry")).isEqualTo("true");
        assertThat(replay.error().get("type").asText()).isEqualTo("api_error");
    }

    @Test
    void aKeyLongerThan255CharactersIsRejected() {
        Reply reply = keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\"}", "k".repeat(256));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().get("message").asText()).contains("at most 255 characters");
    }

    @Test
    void keysAreScopedToTheAccount() {
        String key = key();
        jdbc.update("INSERT INTO idempotency_keys (account_id, idempotency_key, endpoint, request_hash, state, "
                + "response_status, response_body, created_at, claimed_at) VALUES ('acct_other', ?, 'POST /x', 'h', "
                + "'complete', 200, '{}', now(), now())", key);

        Reply mine = keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\"}", key);

        assertThat(mine.status()).isEqualTo(200);
        assertThat(mine.header("Idempotent-Replayed")).isNull();
    }

    @Test
    void keysPastTheirRetentionArePruned() {
        String key = key();
        keyedJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\"}", key);
        jdbc.update("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key = ?",
                key);

        int pruned = idempotentRequests.prune();

        assertThat(pruned).isPositive();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = ?", Long.class,
                key)).isZero();
    }

    @Test
    void everyEventRecordsWhoAndHowInItsMetadata() {
        String key = key();
        Reply created = send("POST", "/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\"}",
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json", "Idempotency-Key", key,
                "User-Agent", "audit-test/1.0");
        String id = created.body().get("id").asText();

        JsonNode metadata = readJson(jdbc.queryForObject("SELECT convert_from(meta_data, 'UTF8') FROM "
                + "domain_event_entry WHERE aggregate_identifier = ?", String.class, id));

        assertThat(metadata.get("accountId").asText()).isEqualTo("acct_default");
        assertThat(metadata.get("keyId").asText()).startsWith("key_");
        assertThat(metadata.get("requestId").asText()).isEqualTo(created.header("Request-Id"));
        assertThat(metadata.get("idempotencyKey").asText()).isEqualTo(key);
        assertThat(metadata.get("clientIp").asText()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(metadata.get("userAgent").asText()).isEqualTo("audit-test/1.0");
        assertThat(metadata.toString()).doesNotContain(SECRET_KEY);
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
