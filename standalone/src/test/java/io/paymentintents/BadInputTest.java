package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every malformed request gets its exact Stripe-style error and writes nothing to the event store. */
class BadInputTest extends ServiceTest {

    static Stream<Arguments> badCreates() {
        return Stream.of(
                arguments("missing amount", "{\"currency\": \"usd\"}",
                        "parameter_missing", "amount", "Missing required param: amount."),
                arguments("missing currency", "{\"amount\": 2000}",
                        "parameter_missing", "currency", "Missing required param: currency."),
                arguments("amount 0", "{\"amount\": 0, \"currency\": \"usd\"}",
                        "parameter_invalid_integer", "amount", "This value must be greater than or equal to 1."),
                arguments("amount -1", "{\"amount\": -1, \"currency\": \"usd\"}",
                        "parameter_invalid_integer", "amount", "This value must be greater than or equal to 1."),
                arguments("amount below the currency minimum", "{\"amount\": 49, \"currency\": \"usd\"}",
                        "amount_too_small", "amount", "Amount must be at least $0.50 usd"),
                arguments("amount of nine digits", "{\"amount\": 100000000, \"currency\": \"usd\"}",
                        "amount_too_large", "amount", "Amount must be no more than $999,999.99 usd"),
                arguments("amount beyond a long", "{\"amount\": 123456789012345678901234567890, \"currency\": \"usd\"}",
                        "parameter_invalid_integer", "amount", "Invalid integer: 123456789012345678901234567890"),
                arguments("amount \"abc\"", "{\"amount\": \"abc\", \"currency\": \"usd\"}",
                        "parameter_invalid_integer", "amount", "Invalid integer: abc"),
                arguments("amount 12.5", "{\"amount\": 12.5, \"currency\": \"usd\"}",
                        "parameter_invalid_integer", "amount", "Invalid integer: 12.5"),
                arguments("amount true", "{\"amount\": true, \"currency\": \"usd\"}",
                        "parameter_invalid_integer", "amount", "Invalid integer: true"),
                arguments("unknown currency", "{\"amount\": 2000, \"currency\": \"xyz\"}",
                        "invalid_currency", "currency",
                        "Invalid currency: xyz. Use a lowercase three-letter ISO 4217 currency code."),
                arguments("unknown parameter", "{\"amount\": 2000, \"currency\": \"usd\", \"colour\": \"red\"}",
                        "parameter_unknown", "colour", "Received unknown parameter: colour"),
                arguments("read-only status", "{\"amount\": 2000, \"currency\": \"usd\", \"status\": \"succeeded\"}",
                        "parameter_unknown", "status", "Received unknown parameter: status"),
                arguments("read-only amount_received",
                        "{\"amount\": 2000, \"currency\": \"usd\", \"amount_received\": 2000}",
                        "parameter_unknown", "amount_received", "Received unknown parameter: amount_received"),
                arguments("unknown payment method", "{\"amount\": 2000, \"currency\": \"usd\", \"payment_method\": \"pm_nope\"}",
                        "resource_missing", "payment_method", "No such PaymentMethod: 'pm_nope'"),
                arguments("unknown capture method", "{\"amount\": 2000, \"currency\": \"usd\", \"capture_method\": \"later\"}",
                        "parameter_invalid_string", "capture_method",
                        "Invalid capture_method: must be one of automatic, automatic_async, manual"),
                arguments("metadata that is not a hash", "{\"amount\": 2000, \"currency\": \"usd\", \"metadata\": [1]}",
                        "parameter_invalid_string", "metadata",
                        "Invalid object: metadata must be a hash of string keys and string values"),
                arguments("metadata key of 41 characters",
                        "{\"amount\": 2000, \"currency\": \"usd\", \"metadata\": {\"" + "k".repeat(41) + "\": \"v\"}}",
                        "parameter_invalid_string", "metadata", "Invalid metadata key: keys must be 1 to 40 "
                                + "characters long and may not contain square brackets."),
                arguments("confirm that is not a boolean", "{\"amount\": 2000, \"currency\": \"usd\", \"confirm\": \"yes\"}",
                        "parameter_invalid_boolean", "confirm", "Invalid boolean: yes"),
                arguments("confirm without a payment method", "{\"amount\": 2000, \"currency\": \"usd\", \"confirm\": true}",
                        "payment_intent_unexpected_state", null, "You cannot confirm this PaymentIntent because it's "
                                + "missing a payment method. You can either update the PaymentIntent with a payment "
                                + "method and then confirm it again, or confirm it again directly with a payment "
                                + "method."),
                arguments("a javascript: return_url", "{\"amount\": 2000, \"currency\": \"usd\", "
                                + "\"return_url\": \"javascript:alert(1)\"}", "url_invalid", "return_url", "Not a valid URL"),
                arguments("a relative return_url", "{\"amount\": 2000, \"currency\": \"usd\", "
                                + "\"return_url\": \"/checkout/done\"}", "url_invalid", "return_url", "Not a valid URL"),
                arguments("a return_url of 2049 characters", "{\"amount\": 2000, \"currency\": \"usd\", "
                                + "\"return_url\": \"https://shop.example/" + "a".repeat(2029) + "\"}", "url_invalid",
                        "return_url", "Not a valid URL"),
                arguments("malformed JSON", "{\"amount\": 2000,",
                        "invalid_json", null, null),
                arguments("duplicate JSON key", "{\"amount\": 2000, \"amount\": 3000, \"currency\": \"usd\"}",
                        "invalid_json", null, null),
                arguments("a body that is an array", "[{\"amount\": 2000, \"currency\": \"usd\"}]",
                        "invalid_request_body", null, "The request body must be a JSON object of parameters."),
                arguments("a body that is a string", "\"amount\"",
                        "invalid_request_body", null, "The request body must be a JSON object of parameters."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCreates")
    void aBadCreateIsRejectedPreciselyAndWritesNothing(String description, String body, String code, String param,
                                                        String message) {
        long eventsBefore = eventCount();

        Reply reply = postJson("/v1/payment_intents", body);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.header("Request-Id")).startsWith("req_");
        JsonNode error = reply.error();
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        if (param == null) {
            assertThat(error.has("param")).isFalse();
        } else {
            assertThat(error.get("param").asText()).isEqualTo(param);
        }
        if (message != null) {
            assertThat(error.get("message").asText()).isEqualTo(message);
        } else {
            assertThat(error.get("message").asText()).startsWith("Invalid JSON received");
        }
        assertThat(eventCount()).isEqualTo(eventsBefore);
    }

    @Test
    void noCredentialsAnswers401AndWritesNothing() {
        long eventsBefore = eventCount();

        Reply reply = send("POST", "/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                "Content-Type", "application/json");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("Request-Id")).startsWith("req_");
        assertThat(reply.header("WWW-Authenticate")).startsWith("Basic");
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(reply.error().get("message").asText()).startsWith("You did not provide an API key.");
        assertThat(eventCount()).isEqualTo(eventsBefore);
    }

    @Test
    void aWrongKeyAnswers401WithTheKeyMaskedAndWritesNothing() {
        long eventsBefore = eventCount();

        Reply reply = send("POST", "/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                "Authorization", basic("sk_test_wrongwrongwrong1234"), "Content-Type", "application/json");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(reply.error().get("message").asText()).isEqualTo("Invalid API Key provided: sk_test_****1234");
        assertThat(eventCount()).isEqualTo(eventsBefore);
    }

    @Test
    void aPublishableKeyCannotCreate() {
        long eventsBefore = eventCount();

        Reply reply = send("POST", "/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                "Authorization", bearer(PUBLISHABLE_KEY), "Content-Type", "application/json");

        // Stripe answers 403 (the SDKs' PermissionException) with code secret_key_required
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.error().get("code").asText()).isEqualTo("secret_key_required");
        assertThat(reply.error().get("message").asText())
                .startsWith("This API call cannot be made with a publishable API key. Please use a secret API key.");
        assertThat(eventCount()).isEqualTo(eventsBefore);
    }

    @Test
    void anUnknownIdAnswers404OnEveryEndpointAndWritesNothing() {
        long eventsBefore = eventCount();
        String id = "pi_doesnotexist000000000000";

        for (Reply reply : new Reply[]{get("/v1/payment_intents/" + id),
                postJson("/v1/payment_intents/" + id, "{\"description\": \"x\"}"),
                postJson("/v1/payment_intents/" + id + "/confirm", "{\"payment_method\": \"pm_card_visa\"}"),
                postJson("/v1/payment_intents/" + id + "/cancel", "{}"),
                postJson("/v1/payment_intents/" + id + "/capture", "{}")}) {
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(reply.error().get("code").asText()).isEqualTo("resource_missing");
            assertThat(reply.error().get("param").asText()).isEqualTo("intent");
            assertThat(reply.error().get("message").asText()).isEqualTo("No such payment_intent: '" + id + "'");
        }
        assertThat(eventCount()).isEqualTo(eventsBefore);
    }

    @Test
    void anIllegalTransitionAnswersUnexpectedStateWithTheIntentAndWritesNothing() {
        String id = createIntent("{\"amount\": 2000, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\", "
                + "\"confirm\": true}");
        long eventsBefore = eventCount(id);

        Reply reply = postJson("/v1/payment_intents/" + id + "/cancel", "{}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().get("code").asText()).isEqualTo("payment_intent_unexpected_state");
        assertThat(reply.error().get("message").asText()).isEqualTo("You cannot cancel this PaymentIntent because "
                + "it has a status of succeeded. Only a PaymentIntent with one of the following statuses may be "
                + "canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action.");
        assertThat(reply.error().get("payment_intent").get("id").asText()).isEqualTo(id);
        assertThat(reply.error().get("payment_intent").get("status").asText()).isEqualTo("succeeded");
        assertThat(eventCount(id)).isEqualTo(eventsBefore);
    }

    @Test
    void aDeclinedCardAnswers402AndLeavesTheIntentRetryable() {
        String id = createIntent("{\"amount\": 2000, \"currency\": \"usd\"}");

        Reply declined = postJson("/v1/payment_intents/" + id + "/confirm",
                "{\"payment_method\": \"pm_card_chargeDeclinedInsufficientFunds\"}");

        assertThat(declined.status()).isEqualTo(402);
        JsonNode error = declined.error();
        assertThat(error.get("type").asText()).isEqualTo("card_error");
        assertThat(error.get("code").asText()).isEqualTo("card_declined");
        assertThat(error.get("decline_code").asText()).isEqualTo("insufficient_funds");
        assertThat(error.get("message").asText()).isEqualTo("Your card has insufficient funds.");
        assertThat(error.get("charge").asText()).startsWith("ch_");
        JsonNode intent = error.get("payment_intent");
        assertThat(intent.get("status").asText()).isEqualTo("requires_payment_method");
        assertThat(intent.get("payment_method").isNull()).isTrue();
        assertThat(intent.at("/last_payment_error/code").asText()).isEqualTo("card_declined");
        assertThat(intent.at("/last_payment_error/decline_code").asText()).isEqualTo("insufficient_funds");
        assertThat(intent.at("/last_payment_error/payment_method/id").asText())
                .isEqualTo("pm_card_chargeDeclinedInsufficientFunds");
        assertThat(intent.at("/charges/data/0/status").asText()).isEqualTo("failed");

        Reply retried = postJson("/v1/payment_intents/" + id + "/confirm", "{\"payment_method\": \"pm_card_visa\"}");

        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(retried.body().get("last_payment_error").isNull()).isTrue();
        assertThat(retried.body().at("/charges/data").size()).isEqualTo(2);
    }

    @Test
    void anUnknownPathAnswersStripeStyle404() {
        Reply reply = get("/v1/payment_intentz");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.header("Request-Id")).startsWith("req_");
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(reply.error().get("message").asText()).startsWith("Unrecognized request URL (GET: /v1/payment_intentz)");
    }
}
