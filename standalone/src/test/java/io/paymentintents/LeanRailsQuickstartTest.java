package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The LeanRails quickstart (seed 000), step by step, with its exact requests: Basic auth, JSON, Idempotency-Key. */
class LeanRailsQuickstartTest extends ServiceTest {

    private static final String ISO_SECONDS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";

    @Test
    void createConfirmAndRetrieveFollowTheQuickstart() {
        // Step 2: create
        Reply created = send("POST", "/v1/payment_intents", """
                {
                    "amount": 2000,
                    "currency": "usd",
                    "payment_method": "pm_card_visa",
                    "customer_id": "cus_abc123"
                  }""", "Authorization", basic(SECRET_KEY), "Content-Type", "application/json",
                "Idempotency-Key", UUID.randomUUID().toString());

        assertThat(created.status()).isEqualTo(200);
        assertThat(created.header("Request-Id")).matches("req_[A-Za-z0-9]{14}");
        JsonNode intent = created.body();
        String id = intent.get("id").asText();
        assertThat(id).matches("pi_[A-Za-z0-9]{24}");
        assertThat(intent.get("object").asText()).isEqualTo("payment_intent");
        assertThat(intent.get("amount").asLong()).isEqualTo(2000);
        assertThat(intent.get("currency").asText()).isEqualTo("usd");
        assertThat(intent.get("status").asText()).isEqualTo("requires_confirmation");
        assertThat(intent.get("payment_method").asText()).isEqualTo("pm_card_visa");
        assertThat(intent.get("customer_id").asText()).isEqualTo("cus_abc123");
        assertThat(intent.get("customer").asText()).isEqualTo("cus_abc123");
        assertThat(intent.get("metadata").isObject()).isTrue();
        assertThat(intent.get("metadata").size()).isZero();
        assertThat(intent.get("livemode").asBoolean()).isFalse();
        assertThat(intent.get("livemode").isBoolean()).isTrue();
        assertThat(intent.get("created_at").asText()).matches(ISO_SECONDS);
        assertThat(intent.get("updated_at").asText()).isEqualTo(intent.get("created_at").asText());
        assertThat(intent.get("created").asLong())
                .isEqualTo(Instant.parse(intent.get("created_at").asText()).getEpochSecond());
        assertThat(intent.get("amount_received").asLong()).isZero();
        assertThat(intent.get("client_secret").asText()).startsWith(id + "_secret_");
        assertThat(intent.get("latest_charge").isNull()).isTrue();
        assertThat(intent.get("last_payment_error").isNull()).isTrue();

        // Step 3: confirm, with no body and no content type, as the curl example sends it
        Reply confirmed = send("POST", "/v1/payment_intents/" + id + "/confirm", null,
                "Authorization", basic(SECRET_KEY), "Idempotency-Key", UUID.randomUUID().toString());

        assertThat(confirmed.status()).isEqualTo(200);
        JsonNode succeeded = confirmed.body();
        assertThat(succeeded.get("id").asText()).isEqualTo(id);
        assertThat(succeeded.get("status").asText()).isEqualTo("succeeded");
        assertThat(succeeded.get("amount").asLong()).isEqualTo(2000);
        assertThat(succeeded.get("currency").asText()).isEqualTo("usd");
        assertThat(succeeded.get("payment_method").asText()).isEqualTo("pm_card_visa");
        assertThat(succeeded.get("customer_id").asText()).isEqualTo("cus_abc123");
        assertThat(succeeded.get("livemode").asBoolean()).isFalse();
        assertThat(succeeded.get("created_at").asText()).isEqualTo(intent.get("created_at").asText());
        assertThat(Instant.parse(succeeded.get("updated_at").asText()))
                .isAfterOrEqualTo(Instant.parse(intent.get("updated_at").asText()));
        assertThat(succeeded.get("amount_received").asLong()).isEqualTo(2000);
        String charge = succeeded.get("latest_charge").asText();
        assertThat(charge).matches("ch_[A-Za-z0-9]{24}");
        assertThat(succeeded.at("/charges/data/0/id").asText()).isEqualTo(charge);
        assertThat(succeeded.at("/charges/data/0/status").asText()).isEqualTo("succeeded");
        assertThat(succeeded.at("/charges/data/0/amount_captured").asLong()).isEqualTo(2000);

        // Step 4: retrieve shows exactly what the confirm answered (read-your-writes)
        Reply retrieved = send("GET", "/v1/payment_intents/" + id, null, "Authorization", basic(SECRET_KEY));
        assertThat(retrieved.status()).isEqualTo(200);
        assertThat(retrieved.body()).isEqualTo(succeeded);
    }
}
