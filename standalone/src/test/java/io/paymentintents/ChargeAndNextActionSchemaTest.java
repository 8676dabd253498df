package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The charge and next_action schemas of the Stripe extract are really checked: a charge or a next_action of the
 * wrong shape fails, so the responses that pass have the right one.
 */
class ChargeAndNextActionSchemaTest {

    private static JsonNode json(String text) throws Exception {
        return ServiceTest.JSON.readTree(text);
    }

    @Test
    void aChargeMissingARequiredFieldFails() throws Exception {
        JsonNode charge = json("{\"id\": \"ch_1\", \"object\": \"charge\", \"amount\": 100, \"amount_captured\": 100, "
                + "\"amount_refunded\": 0, \"billing_details\": {\"address\": null, \"email\": null, \"name\": null, "
                + "\"phone\": null}, \"captured\": true, \"created\": 1, \"currency\": \"usd\", \"disputed\": false, "
                + "\"livemode\": false, \"metadata\": {}, \"paid\": true, \"refunded\": false, "
                + "\"status\": \"succeeded\", \"outcome\": {\"type\": \"authorized\"}}");
        StripeSchemas.assertConforms("/v1/charges/ch_1", charge);

        ObjectNode missing = charge.deepCopy();
        missing.remove("billing_details");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/charges/ch_1", missing))
                .isInstanceOf(AssertionError.class).hasMessageContaining("billing_details");

        ObjectNode badStatus = charge.deepCopy();
        badStatus.put("status", "processing");
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/charges/ch_1", badStatus))
                .isInstanceOf(AssertionError.class).hasMessageContaining("status");

        ObjectNode outcomeWithoutType = charge.deepCopy();
        outcomeWithoutType.set("outcome", json("{\"network_status\": \"approved_by_network\"}"));
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/charges/ch_1", outcomeWithoutType))
                .isInstanceOf(AssertionError.class).hasMessageContaining("type");
    }

    @Test
    void aNextActionOfTheWrongShapeFails() throws Exception {
        JsonNode intent = json("{\"id\": \"pi_1\", \"object\": \"payment_intent\", \"amount\": 100, "
                + "\"capture_method\": \"automatic\", \"confirmation_method\": \"automatic\", \"created\": 1, "
                + "\"currency\": \"usd\", \"livemode\": false, \"payment_method_types\": [\"card\"], "
                + "\"status\": \"requires_action\", \"metadata\": {}, \"next_action\": {\"type\": \"redirect_to_url\", "
                + "\"redirect_to_url\": {\"url\": \"http://x/test_mode/authenticate\", \"return_url\": null}}}");
        StripeSchemas.assertConforms("/v1/payment_intents/pi_1", intent);

        ObjectNode withoutType = intent.deepCopy();
        withoutType.set("next_action", json("{\"redirect_to_url\": {\"url\": \"http://x\"}}"));
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/payment_intents/pi_1", withoutType))
                .isInstanceOf(AssertionError.class).hasMessageContaining("type");

        ObjectNode numericUrl = intent.deepCopy();
        numericUrl.set("next_action", json("{\"type\": \"redirect_to_url\", \"redirect_to_url\": {\"url\": 7}}"));
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/payment_intents/pi_1", numericUrl))
                .isInstanceOf(AssertionError.class).hasMessageContaining("url");

        ObjectNode sdkNotAnObject = intent.deepCopy();
        sdkNotAnObject.set("next_action", json("{\"type\": \"use_stripe_sdk\", \"use_stripe_sdk\": \"x\"}"));
        assertThatThrownBy(() -> StripeSchemas.assertConforms("/v1/payment_intents/pi_1", sdkNotAnObject))
                .isInstanceOf(AssertionError.class).hasMessageContaining("use_stripe_sdk");
    }
}
