package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every example of the CasaPay PaymentIntents reference (seed 004), sent verbatim: Bearer auth with the seed's own
 * key, the exact JSON bodies. Every field the reference documents is checked.
 */
class CasaPayReferenceTest extends ServiceTest {

    private static final String AUTH = "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc";

    private Reply casaPay(String method, String path, String json) {
        return json == null ? send(method, path, null, "Authorization", AUTH)
                : send(method, path, json, "Authorization", AUTH, "Content-Type", "application/json");
    }

    private String createRentPayment() {
        Reply reply = casaPay("POST", "/v1/payment_intents", """
                {
                "amount": 120000,
                "currency": "eur",
                "customer": "cus_123456789",
                "payment_method_types": ["card", "open_banking", "direct_debit"],
                "description": "Rent payment — February 2025"
                }""");
        assertThat(reply.status()).isEqualTo(200);
        return reply.body().get("id").asText();
    }

    @Test
    void createAnswersWithTheDocumentedObject() {
        Reply reply = casaPay("POST", "/v1/payment_intents", """
                {
                "amount": 120000,
                "currency": "eur",
                "customer": "cus_123456789",
                "payment_method_types": ["card", "open_banking", "direct_debit"],
                "description": "Rent payment — February 2025"
                }""");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode intent = reply.body();
        String id = intent.get("id").asText();
        assertThat(id).startsWith("pi_");
        assertThat(intent.get("object").asText()).isEqualTo("payment_intent");
        assertThat(intent.get("amount").asLong()).isEqualTo(120000);
        assertThat(intent.get("currency").asText()).isEqualTo("eur");
        assertThat(intent.get("status").asText()).isEqualTo("requires_payment_method");
        assertThat(intent.get("customer").asText()).isEqualTo("cus_123456789");
        assertThat(intent.get("payment_method").isNull()).isTrue();
        assertThat(intent.get("payment_method_types").toString()).isEqualTo("[\"card\",\"open_banking\",\"direct_debit\"]");
        assertThat(intent.get("description").asText()).isEqualTo("Rent payment — February 2025");
        assertThat(intent.get("client_secret").asText()).matches(id + "_secret_[A-Za-z0-9]+");
        assertThat(intent.get("capture_method").asText()).isEqualTo("automatic");
        assertThat(intent.get("confirmation_method").asText()).isEqualTo("automatic");
        assertThat(intent.get("amount_received").asLong()).isZero();
        assertThat(intent.get("charges").get("object").asText()).isEqualTo("list");
        assertThat(intent.get("charges").get("data").size()).isZero();
        assertThat(intent.get("last_payment_error").isNull()).isTrue();
        assertThat(intent.get("next_action").isNull()).isTrue();
        assertThat(intent.get("metadata").size()).isZero();
        assertThat(intent.get("created").isIntegralNumber()).isTrue();
        assertThat(intent.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000,
                org.assertj.core.data.Offset.offset(60L));
        assertThat(intent.get("livemode").asBoolean()).isFalse();
    }

    @Test
    void retrieveAnswersWithTheIntent() {
        String id = createRentPayment();

        Reply reply = casaPay("GET", "/v1/payment_intents/" + id, null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("id").asText()).isEqualTo(id);
        assertThat(reply.body().get("description").asText()).isEqualTo("Rent payment — February 2025");
    }

    @Test
    void updateChangesAmountAndDescription() {
        String id = createRentPayment();

        Reply reply = casaPay("POST", "/v1/payment_intents/" + id,
                "{\"amount\": 125000, \"description\": \"Rent + parking — February 2025\"}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("amount").asLong()).isEqualTo(125000);
        assertThat(reply.body().get("description").asText()).isEqualTo("Rent + parking — February 2025");
        assertThat(reply.body().get("status").asText()).isEqualTo("requires_payment_method");
        assertThat(casaPay("GET", "/v1/payment_intents/" + id, null).body()).isEqualTo(reply.body());
    }

    @Test
    void listFiltersByCustomerAndLimit() {
        String customer = "cus_" + System.nanoTime();
        String first = createIntent("{\"amount\": 1000, \"currency\": \"eur\", \"customer\": \"" + customer + "\"}");
        String second = createIntent("{\"amount\": 1000, \"currency\": \"eur\", \"customer\": \"" + customer + "\"}");
        createIntent("{\"amount\": 1000, \"currency\": \"eur\", \"customer\": \"cus_someone_else\"}");

        Reply reply = casaPay("GET", "/v1/payment_intents?customer=" + customer + "&limit=10", null);
        // and the seed's own example, which must answer a list too
        Reply seed = casaPay("GET", "/v1/payment_intents?customer=cus_123456789&limit=10", null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("object").asText()).isEqualTo("list");
        assertThat(reply.body().get("url").asText()).isEqualTo("/v1/payment_intents");
        assertThat(reply.body().get("has_more").asBoolean()).isFalse();
        List<String> ids = reply.body().get("data").findValuesAsText("id").stream()
                .filter(s -> s.startsWith("pi_")).toList();
        assertThat(ids).containsExactlyInAnyOrder(first, second);
        assertThat(seed.status()).isEqualTo(200);
        seed.body().get("data").forEach(intent ->
                assertThat(intent.get("customer").asText()).isEqualTo("cus_123456789"));
    }

    @Test
    void confirmWithPaymentMethodAndReturnUrlSucceeds() {
        String id = createRentPayment();

        Reply reply = casaPay("POST", "/v1/payment_intents/" + id + "/confirm", """
                {
                "payment_method": "pm_card_visa",
                "return_url": "https://your-app.com/payment/complete"
                }""");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(reply.body().get("payment_method").asText()).isEqualTo("pm_card_visa");
        assertThat(reply.body().get("amount_received").asLong()).isEqualTo(120000);
        assertThat(reply.body().at("/charges/data").size()).isEqualTo(1);
    }

    @Test
    void cancelRecordsTheReason() {
        String id = createRentPayment();

        Reply reply = casaPay("POST", "/v1/payment_intents/" + id + "/cancel",
                "{\"cancellation_reason\": \"requested_by_customer\"}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("canceled");
        assertThat(reply.body().get("cancellation_reason").asText()).isEqualTo("requested_by_customer");
        assertThat(reply.body().get("canceled_at").asLong()).isCloseTo(System.currentTimeMillis() / 1000,
                org.assertj.core.data.Offset.offset(60L));
    }

    @Test
    void captureWithoutBodyCapturesAManualIntentInFull() {
        Reply created = casaPay("POST", "/v1/payment_intents", """
                {"amount": 120000, "currency": "eur", "capture_method": "manual",
                 "payment_method": "pm_card_visa", "confirm": true}""");
        assertThat(created.body().get("status").asText()).isEqualTo("requires_capture");
        assertThat(created.body().get("amount_capturable").asLong()).isEqualTo(120000);
        String id = created.body().get("id").asText();

        Reply reply = casaPay("POST", "/v1/payment_intents/" + id + "/capture", null);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(reply.body().get("amount_received").asLong()).isEqualTo(120000);
        assertThat(reply.body().get("amount_capturable").asLong()).isZero();
        assertThat(reply.body().at("/charges/data/0/captured").asBoolean()).isTrue();
    }
}
