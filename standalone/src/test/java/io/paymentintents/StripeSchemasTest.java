package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The conformance check itself must be able to fail, or it proves nothing. */
class StripeSchemasTest {

    private static JsonNode json(String text) throws Exception {
        return ServiceTest.JSON.readTree(text);
    }

    @Test
    void aPaymentIntentMissingARequiredFieldFails() throws Exception {
        JsonNode intent = json("{\"id\": \"pi_1\", \"object\": \"payment_intent\", \"amount\": 100, "
                + "\"capture_method\": \"automatic\", \"confirmation_method\": \"automatic\", \"created\": 1, "
                + "\"currency\": \"usd\", \"livemode\": false, \"payment_method_types\": [\"card\"], "
                + "\"status\": \"succeeded\", \"metadata\": {}, \"customer\": null}");
        StripeSchemas.assertConforms("/v1/payment_intents", intent);

        ObjectNode missing = intent.deepCopy();
        missing.remove("currency");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/payment_intents", missing))
                .isInstanceOf(AssertionError.class).hasMessageContaining("currency");

        ObjectNode mistyped = intent.deepCopy();
        mistyped.put("amount", "100");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/payment_intents", mistyped))
                .isInstanceOf(AssertionError.class).hasMessageContaining("amount");

        ObjectNode wrongStatus = intent.deepCopy();
        wrongStatus.put("status", "almost_paid");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/payment_intents", wrongStatus))
                .isInstanceOf(AssertionError.class).hasMessageContaining("status");
    }

    @Test
    void anErrorWithANullCodeFails() throws Exception {
        StripeSchemas.assertConforms("/v1/x", json("{\"error\": {\"type\": \"invalid_request_error\", "
                + "\"message\": \"m\"}}"));
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/x", json("{\"error\": {\"type\": "
                + "\"invalid_request_error\", \"code\": null}}"))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/x", json("{\"error\": {\"type\": \"oops\"}}")))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void aListWithoutHasMoreFails() throws Exception {
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/payment_intents",
                json("{\"object\": \"list\", \"data\": [], \"url\": \"/v1/payment_intents\"}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("has_more");
        assertThat(StripeSchemas.LIST).isNotNull();
    }

    @Test
    void anEventWhoseDataOrRequestIsMalformedFails() throws Exception {
        String intent = "{\"id\": \"pi_1\", \"object\": \"payment_intent\", \"amount\": 100, "
                + "\"capture_method\": \"automatic\", \"confirmation_method\": \"automatic\", \"created\": 1, "
                + "\"currency\": \"usd\", \"livemode\": false, \"payment_method_types\": [\"card\"], "
                + "\"status\": \"succeeded\", \"metadata\": {}, \"customer\": null}";
        ObjectNode event = (ObjectNode) json("{\"id\": \"evt_1\", \"object\": \"event\", \"api_version\": "
                + "\"2023-08-16\", \"created\": 1, \"data\": {\"object\": " + intent + ", \"previous_attributes\": "
                + "{\"status\": \"processing\"}}, \"livemode\": false, \"pending_webhooks\": 0, \"request\": "
                + "{\"id\": null, \"idempotency_key\": null}, \"type\": \"payment_intent.succeeded\"}");
        StripeSchemas.assertConforms("/v1/events/evt_1", event);
        StripeSchemas.assertConforms("/v1/events", json("{\"object\": \"list\", \"data\": [" + event
                + "], \"has_more\": false, \"url\": \"/v1/events\"}"));

        ObjectNode noObject = event.deepCopy();
        ((ObjectNode) noObject.get("data")).remove("object");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/events/evt_1", noObject))
                .isInstanceOf(AssertionError.class).hasMessageContaining("object");
        ObjectNode badIntent = event.deepCopy();
        ((ObjectNode) badIntent.at("/data/object")).remove("currency");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/events/evt_1", badIntent))
                .isInstanceOf(AssertionError.class).hasMessageContaining("currency");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/events", json("{\"object\": \"list\", "
                + "\"data\": [" + badIntent + "], \"has_more\": false, \"url\": \"/v1/events\"}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("currency");
        ObjectNode badRequest = event.deepCopy();
        ((ObjectNode) badRequest.get("request")).put("id", 7);
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/events/evt_1", badRequest))
                .isInstanceOf(AssertionError.class).hasMessageContaining("id");
    }

    @Test
    void aWebhookEndpointWithANullSecretOrWithoutItsUrlFails() throws Exception {
        JsonNode endpoint = json("{\"id\": \"we_1\", \"object\": \"webhook_endpoint\", \"created\": 1, "
                + "\"enabled_events\": [\"*\"], \"livemode\": false, \"metadata\": {}, \"status\": \"enabled\", "
                + "\"url\": \"https://merchant.example/hooks\"}");
        StripeSchemas.assertConforms("/v1/webhook_endpoints/we_1", endpoint);

        ObjectNode nullSecret = endpoint.deepCopy();
        nullSecret.putNull("secret");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/webhook_endpoints/we_1", nullSecret))
                .isInstanceOf(AssertionError.class).hasMessageContaining("secret");
        ObjectNode missing = endpoint.deepCopy();
        missing.remove("url");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/webhook_endpoints/we_1", missing))
                .isInstanceOf(AssertionError.class).hasMessageContaining("url");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/webhook_endpoints/we_1",
                json("{\"id\": \"we_1\", \"object\": \"webhook_endpoint\", \"deleted\": false}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("deleted");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/webhook_endpoints",
                json("{\"object\": \"list\", \"data\": [], \"has_more\": false, \"url\": \"/v1/elsewhere\"}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("url");
    }
}
