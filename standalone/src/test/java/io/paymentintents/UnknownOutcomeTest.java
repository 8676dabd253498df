package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A processor that times out (test payment method {@code pm_card_processorTimeout}: the first re-query still cannot
 * tell, the second says approved). The intent stays {@code processing} with a pending charge while the janitor asks
 * again with a growing pause (1 s, then 2 s); a client retrying meanwhile never causes a second authorization.
 */
class UnknownOutcomeTest extends ServiceTest {

    @Test
    void aTimedOutPaymentIsProcessingWithAPendingChargeUntilTheJanitorLearnsItSucceeded() throws Exception {
        Reply confirmed = postJson("/v1/payment_intents", "{\"amount\": 2300, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_processorTimeout\", \"confirm\": true}");
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.body().get("status").asText()).isEqualTo("processing");
        assertThat(confirmed.body().at("/charges/data/0/status").asText()).isEqualTo("pending");
        assertThat(confirmed.body().at("/charges/data/0/outcome").isNull()).as("no outcome is known").isTrue();
        String id = confirmed.body().get("id").asText();

        JsonNode settled = awaitStatus(id, "succeeded");
        assertThat(settled.get("amount_received").asLong()).isEqualTo(2300);
        assertThat(settled.at("/charges/data").size()).as("the pending charge became the paid one").isEqualTo(1);
        assertThat(settled.get("latest_charge").asText()).isEqualTo(confirmed.body().get("latest_charge").asText());
        assertThat(eventTypes(id)).containsExactly("PaymentIntentCreated", "PaymentIntentProcessing",
                "PaymentIntentSucceeded");
    }

    @Test
    void aClientRetryingTheConfirmMeanwhileIsRefusedOrReplayedAndNothingIsAuthorizedTwice() throws Exception {
        String id = createIntent("{\"amount\": 2400, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_processorTimeout\"}");
        String[] keyed = {"Authorization", bearer(SECRET_KEY), "Content-Type", "application/json",
                "Idempotency-Key", "timeout-confirm-" + id};
        Reply first = send("POST", "/v1/payment_intents/" + id + "/confirm", "{}", keyed);
        assertThat(first.body().get("status").asText()).isEqualTo("processing");

        Reply replayed = send("POST", "/v1/payment_intents/" + id + "/confirm", "{}", keyed);
        assertThat(replayed.status()).isEqualTo(200);
        assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.body().get("latest_charge")).isEqualTo(first.body().get("latest_charge"));

        Reply unkeyed = postJson("/v1/payment_intents/" + id + "/confirm", "{}");
        assertThat(unkeyed.status()).isEqualTo(400);
        assertThat(unkeyed.error().get("code").asText()).isEqualTo("payment_intent_unexpected_state");

        JsonNode settled = awaitStatus(id, "succeeded");
        assertThat(settled.at("/charges/data").size()).isEqualTo(1);
        assertThat(eventTypes(id)).containsExactly("PaymentIntentCreated", "PaymentIntentProcessing",
                "PaymentIntentSucceeded");
    }

    @Test
    void aDeclineLearnedLaterLeavesTheCardRetryableWithTheDeclineShown() throws Exception {
        String id = createIntent("{\"amount\": 2500, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_processorTimeoutDeclined\", \"confirm\": true}");

        JsonNode declined = awaitStatus(id, "requires_payment_method");
        assertThat(declined.at("/last_payment_error/code").asText()).isEqualTo("card_declined");
        assertThat(declined.at("/charges/data/0/status").asText()).isEqualTo("failed");

        Reply retried = postJson("/v1/payment_intents/" + id + "/confirm", "{\"payment_method\": \"pm_card_visa\"}");
        assertThat(retried.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(retried.body().at("/charges/data").size()).isEqualTo(2);
    }

    private JsonNode awaitStatus(String id, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode intent = get("/v1/payment_intents/" + id).body();
        while (!intent.get("status").asText().equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            intent = get("/v1/payment_intents/" + id).body();
        }
        assertThat(intent.get("status").asText()).isEqualTo(status);
        return intent;
    }

    private List<String> eventTypes(String id) {
        return jdbc.queryForList("SELECT payload_type FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "ORDER BY sequence_number", String.class, id).stream()
                .map(type -> type.substring(type.lastIndexOf('.') + 1)).toList();
    }
}
