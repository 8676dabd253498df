package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.KeyKind;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test helpers ({@code /v1/test_helpers/payment_intents/{id}/authenticate} and {@code .../settle}), the
 * {@code next_action} they answer, and {@code GET /v1/charges/{id}}, over plain HTTP. Every JSON body is also held
 * to Stripe's schema by {@link ServiceTest#send}, the charge and next_action shapes included.
 */
class TestHelpersTest extends ServiceTest {

    @Autowired
    private ApiKeyRegistry registry;

    private JsonNode confirmed(String json) {
        Reply reply = postJson("/v1/payment_intents", json);
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        return reply.body();
    }

    /** An intent created and confirmed with a card that asks for 3-D Secure: requires_action. */
    private JsonNode requiringAction(String extraJson) {
        JsonNode intent = confirmed("{\"amount\": 2500, \"currency\": \"eur\", \"payment_method\": "
                + "\"pm_card_authenticationRequired\", \"confirm\": true" + extraJson + "}");
        assertThat(intent.get("status").asText()).isEqualTo("requires_action");
        return intent;
    }

    private JsonNode processing(String paymentMethod, String type) {
        JsonNode intent = confirmed("{\"amount\": 4200, \"currency\": \"eur\", \"payment_method_types\": [\"" + type
                + "\"], \"payment_method\": \"" + paymentMethod + "\", \"confirm\": true}");
        assertThat(intent.get("status").asText()).isEqualTo("processing");
        return intent;
    }

    private Reply authenticate(String id, String outcome) {
        return postForm("/v1/test_helpers/payment_intents/" + id + "/authenticate", "outcome=" + outcome);
    }

    private Reply settle(String id, String outcome) {
        return postForm("/v1/test_helpers/payment_intents/" + id + "/settle", "outcome=" + outcome);
    }

    private String hostedPageUrl(String clientSecret) {
        return baseUrl() + "/test_mode/authenticate?client_secret="
                + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
    }

    @Test
    void authenticationSuccessCompletesThePayment() {
        JsonNode intent = requiringAction("");
        String id = intent.get("id").asText();

        Reply reply = authenticate(id, "success");

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(reply.body().get("amount_received").asLong()).isEqualTo(2500);
        assertThat(reply.body().get("next_action").isNull()).isTrue();
        assertThat(reply.body().get("last_payment_error").isNull()).isTrue();
        assertThat(get("/v1/payment_intents/" + id).body()).isEqualTo(reply.body());
    }

    @Test
    void authenticationFailureSendsTheIntentBackForAnotherPaymentMethod() {
        String id = requiringAction("").get("id").asText();

        Reply reply = authenticate(id, "failure");

        // 200, not 402: the helper did what it was asked; the intent tells that the payment failed
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("requires_payment_method");
        assertThat(reply.body().at("/last_payment_error/code").asText())
                .isEqualTo("payment_intent_authentication_failure");
        assertThat(reply.body().get("next_action").isNull()).isTrue();
        assertThat(reply.body().get("amount_received").asLong()).isZero();
    }

    @Test
    void manualConfirmationWaitsForTheServerToConfirmAfterAuthentication() {
        String id = requiringAction(", \"confirmation_method\": \"manual\"").get("id").asText();

        Reply authenticated = authenticate(id, "success");
        Reply confirmed = postForm("/v1/payment_intents/" + id + "/confirm", "");

        assertThat(authenticated.status()).as("%s", authenticated.body()).isEqualTo(200);
        assertThat(authenticated.body().get("status").asText()).isEqualTo("requires_confirmation");
        assertThat(authenticated.body().get("amount_received").asLong()).isZero();
        assertThat(confirmed.status()).as("%s", confirmed.body()).isEqualTo(200);
        assertThat(confirmed.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(confirmed.body().get("amount_received").asLong()).isEqualTo(2500);
    }

    @Test
    void aCardDeclinedAfterAuthenticationShowsTheDeclineOnTheIntent() {
        JsonNode intent = confirmed("{\"amount\": 2500, \"currency\": \"eur\", \"payment_method\": "
                + "\"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds\", \"confirm\": true}");
        assertThat(intent.get("status").asText()).isEqualTo("requires_action");

        Reply reply = authenticate(intent.get("id").asText(), "success");

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("requires_payment_method");
        assertThat(reply.body().at("/last_payment_error/code").asText()).isEqualTo("card_declined");
        assertThat(reply.body().at("/last_payment_error/decline_code").asText()).isEqualTo("insufficient_funds");
        assertThat(reply.body().at("/charges/data/0/status").asText()).isEqualTo("failed");
    }

    @Test
    void settlementSuccessCompletesADirectDebit() {
        String id = processing("pm_direct_debit", "direct_debit").get("id").asText();

        Reply reply = settle(id, "success");

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(reply.body().get("amount_received").asLong()).isEqualTo(4200);
        assertThat(reply.body().at("/charges/data/0/status").asText()).isEqualTo("succeeded");
    }

    @Test
    void settlementFailureFailsAnOpenBankingPaymentForGood() {
        String id = processing("pm_open_banking_fails", "open_banking").get("id").asText();

        Reply reply = settle(id, "failure");
        Reply confirmAgain = postForm("/v1/payment_intents/" + id + "/confirm", "payment_method=pm_open_banking");

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("failed");
        assertThat(reply.body().get("amount_received").asLong()).isZero();
        assertThat(reply.body().get("last_payment_error").isObject()).isTrue();
        assertThat(reply.body().at("/charges/data/0/status").asText()).isEqualTo("failed");
        assertThat(confirmAgain.status()).isEqualTo(400); // failed is terminal
        assertThat(confirmAgain.error().get("code").asText()).isEqualTo("payment_intent_unexpected_state");
    }

    @Test
    void aProcessingPaymentIsPendingUntilItSettles() {
        JsonNode intent = processing("pm_direct_debit", "direct_debit");

        assertThat(intent.get("amount_received").asLong()).isZero();
        assertThat(intent.get("next_action").isNull()).isTrue();
        assertThat(intent.at("/charges/data/0/status").asText()).isEqualTo("pending");
        assertThat(intent.at("/charges/data/0/paid").asBoolean()).isFalse();
    }

    @Test
    void aHelperCalledInTheWrongStatusIsAnUnexpectedState() {
        String unconfirmed = createIntent("{\"amount\": 1000, \"currency\": \"eur\"}");
        String awaitingAuthentication = requiringAction("").get("id").asText();

        Reply authenticateTooEarly = authenticate(unconfirmed, "success");
        Reply settleACard = settle(awaitingAuthentication, "success");

        assertThat(authenticateTooEarly.status()).isEqualTo(400);
        assertThat(authenticateTooEarly.error().get("code").asText()).isEqualTo("payment_intent_unexpected_state");
        assertThat(authenticateTooEarly.error().at("/payment_intent/id").asText()).isEqualTo(unconfirmed);
        assertThat(authenticateTooEarly.error().at("/payment_intent/status").asText())
                .isEqualTo("requires_payment_method");
        assertThat(settleACard.status()).isEqualTo(400);
        assertThat(settleACard.error().get("code").asText()).isEqualTo("payment_intent_unexpected_state");
        assertThat(get("/v1/payment_intents/" + awaitingAuthentication).body().get("status").asText())
                .isEqualTo("requires_action");
    }

    @Test
    void theOutcomeMustBeSuccessOrFailure() {
        String id = requiringAction("").get("id").asText();
        long events = eventCount(id);

        Reply missing = postForm("/v1/test_helpers/payment_intents/" + id + "/authenticate", "");
        Reply empty = postForm("/v1/test_helpers/payment_intents/" + id + "/authenticate", "outcome=");
        Reply other = postJson("/v1/test_helpers/payment_intents/" + id + "/authenticate", "{\"outcome\": \"maybe\"}");
        Reply unknown = postForm("/v1/test_helpers/payment_intents/" + id + "/settle", "outcome=success&speed=fast");

        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error().get("code").asText()).isEqualTo("parameter_missing");
        assertThat(missing.error().get("param").asText()).isEqualTo("outcome");
        assertThat(missing.error().get("message").asText()).isEqualTo("Missing required param: outcome.");
        assertThat(empty.error().get("code").asText()).isEqualTo("parameter_missing");
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.error().get("code").asText()).isEqualTo("parameter_invalid_string");
        assertThat(other.error().get("param").asText()).isEqualTo("outcome");
        assertThat(other.error().get("message").asText()).isEqualTo("Invalid outcome: must be one of success, failure");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.error().get("code").asText()).isEqualTo("parameter_unknown");
        assertThat(unknown.error().get("param").asText()).isEqualTo("speed");
        assertThat(eventCount(id)).isEqualTo(events);
    }

    @Test
    void helpersTakeAJsonBodyToo() {
        String id = requiringAction("").get("id").asText();

        Reply reply = postJson("/v1/test_helpers/payment_intents/" + id + "/authenticate",
                "{\"outcome\": \"success\", \"expand\": [\"latest_charge\"]}");

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(reply.body().at("/latest_charge/object").asText()).isEqualTo("charge");
    }

    @Test
    void aMalformedOrUnknownIdIsNotFound() {
        Reply malformed = authenticate("ch_123", "success");
        Reply unknown = settle("pi_DoesNotExist000000000000", "success");

        assertThat(malformed.status()).isEqualTo(404);
        assertThat(malformed.error().get("code").asText()).isEqualTo("resource_missing");
        assertThat(malformed.error().get("message").asText()).isEqualTo("No such payment_intent: 'ch_123'");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error().get("param").asText()).isEqualTo("intent");
    }

    @Test
    void helpersAndChargesRefuseAPublishableKey() {
        JsonNode intent = requiringAction("");
        String id = intent.get("id").asText();

        Reply helper = send("POST", "/v1/test_helpers/payment_intents/" + id + "/authenticate",
                "outcome=success&client_secret=" + intent.get("client_secret").asText(),
                "Authorization", bearer(PUBLISHABLE_KEY), "Content-Type", "application/x-www-form-urlencoded");
        Reply charge = send("GET", "/v1/charges/ch_anything", null, "Authorization", bearer(PUBLISHABLE_KEY));
        Reply anonymous = send("POST", "/v1/test_helpers/payment_intents/" + id + "/settle", "outcome=success",
                "Content-Type", "application/x-www-form-urlencoded");

        assertThat(helper.status()).isEqualTo(403);
        assertThat(helper.error().get("code").asText()).isEqualTo("secret_key_required");
        assertThat(charge.status()).isEqualTo(403);
        assertThat(charge.error().get("code").asText()).isEqualTo("secret_key_required");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(get("/v1/payment_intents/" + id).body().get("status").asText()).isEqualTo("requires_action");
    }

    @Test
    void aKeyedHelperActsOnceAndReplaysItsAnswer() {
        String id = requiringAction("").get("id").asText();
        String key = UUID.randomUUID().toString();
        String path = "/v1/test_helpers/payment_intents/" + id + "/authenticate";

        Reply first = send("POST", path, "outcome=success", "Authorization", bearer(SECRET_KEY),
                "Content-Type", "application/x-www-form-urlencoded", "Idempotency-Key", key);
        long events = eventCount(id);
        Reply again = send("POST", path, "outcome=success", "Authorization", bearer(SECRET_KEY),
                "Content-Type", "application/x-www-form-urlencoded", "Idempotency-Key", key);
        Reply otherParameters = send("POST", path, "outcome=failure", "Authorization", bearer(SECRET_KEY),
                "Content-Type", "application/x-www-form-urlencoded", "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(otherParameters.status()).isEqualTo(400);
        assertThat(otherParameters.error().get("type").asText()).isEqualTo("idempotency_error");
        assertThat(eventCount(id)).isEqualTo(events);
    }

    @Test
    void nextActionRedirectsToTheHostedPageWhenThereIsAReturnUrl() {
        JsonNode intent = requiringAction(", \"return_url\": \"https://shop.example/orders/7?step=paid\"");
        String secret = intent.get("client_secret").asText();

        Reply asBrowser = send("GET", "/v1/payment_intents/" + intent.get("id").asText() + "?client_secret="
                + URLEncoder.encode(secret, StandardCharsets.UTF_8), null, "Authorization", bearer(PUBLISHABLE_KEY));

        JsonNode action = intent.get("next_action");
        assertThat(action.get("type").asText()).isEqualTo("redirect_to_url");
        assertThat(action.at("/redirect_to_url/url").asText()).isEqualTo(hostedPageUrl(secret));
        assertThat(action.at("/redirect_to_url/return_url").asText())
                .isEqualTo("https://shop.example/orders/7?step=paid");
        assertThat(action.has("use_stripe_sdk")).isFalse();
        // Stripe.js reads next_action with the publishable key
        assertThat(asBrowser.status()).as("%s", asBrowser.body()).isEqualTo(200);
        assertThat(asBrowser.body().get("next_action")).isEqualTo(action);
    }

    @Test
    void nextActionLeavesAuthenticationToTheSdkWithoutAReturnUrl() {
        JsonNode intent = requiringAction("");

        JsonNode action = intent.get("next_action");
        assertThat(action.get("type").asText()).isEqualTo("use_stripe_sdk");
        assertThat(action.at("/use_stripe_sdk/type").asText()).isEqualTo("three_d_secure_redirect");
        assertThat(action.at("/use_stripe_sdk/stripe_js").asText())
                .isEqualTo(hostedPageUrl(intent.get("client_secret").asText()));
        assertThat(action.has("redirect_to_url")).isFalse();
        assertThat(get("/v1/payment_intents/" + intent.get("id").asText()).body().get("next_action"))
                .isEqualTo(action);
    }

    @Test
    void aConfirmReturnUrlIsTheOneTheHostedPageReturnsTo() {
        String id = createIntent("{\"amount\": 2500, \"currency\": \"eur\", \"return_url\": \"https://a.example/\"}");

        Reply confirmed = postForm("/v1/payment_intents/" + id + "/confirm",
                "payment_method=pm_card_threeDSecure2Required&return_url=https%3A%2F%2Fb.example%2Fback");

        assertThat(confirmed.status()).as("%s", confirmed.body()).isEqualTo(200);
        assertThat(confirmed.body().at("/next_action/redirect_to_url/return_url").asText())
                .isEqualTo("https://b.example/back");
    }

    @Test
    void aStoredResponseKeepsNoClientSecretNotEvenInsideNextAction() {
        String id = createIntent("{\"amount\": 2500, \"currency\": \"eur\", \"return_url\": \"https://a.example/\"}");
        String key = UUID.randomUUID().toString();
        String path = "/v1/payment_intents/" + id + "/confirm";

        Reply first = send("POST", path, "payment_method=pm_card_authenticationRequired",
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/x-www-form-urlencoded",
                "Idempotency-Key", key);
        Reply replayed = send("POST", path, "payment_method=pm_card_authenticationRequired",
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/x-www-form-urlencoded",
                "Idempotency-Key", key);
        String stored = jdbc.queryForObject("SELECT response_body FROM idempotency_keys WHERE idempotency_key = ?",
                String.class, key);

        String secret = first.body().get("client_secret").asText();
        assertThat(first.body().at("/next_action/redirect_to_url/url").asText()).contains(secret);
        assertThat(stored).doesNotContain(secret).doesNotContain(secret.substring(secret.indexOf("_secret_")));
        assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.body()).isEqualTo(first.body());
    }

    @Test
    void theLatestChargeCanBeRetrievedById() {
        JsonNode intent = requiringAction("");
        JsonNode paid = authenticate(intent.get("id").asText(), "success").body();
        String chargeId = paid.get("latest_charge").asText();

        Reply reply = get("/v1/charges/" + chargeId);

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(paid.at("/charges/data/0"));
        assertThat(reply.body().get("id").asText()).isEqualTo(chargeId);
        assertThat(reply.body().get("object").asText()).isEqualTo("charge");
        assertThat(reply.body().get("payment_intent").asText()).isEqualTo(intent.get("id").asText());
        assertThat(reply.body().get("amount").asLong()).isEqualTo(2500);
        assertThat(reply.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(reply.body().get("paid").asBoolean()).isTrue();
    }

    @Test
    void anOlderFailedChargeCanBeRetrievedToo() {
        String id = createIntent("{\"amount\": 2500, \"currency\": \"eur\"}");
        Reply declined = postForm("/v1/payment_intents/" + id + "/confirm", "payment_method=pm_card_chargeDeclined");
        Reply paid = postForm("/v1/payment_intents/" + id + "/confirm", "payment_method=pm_card_visa");
        String failedCharge = declined.error().get("charge").asText();

        Reply reply = get("/v1/charges/" + failedCharge);

        assertThat(paid.body().get("latest_charge").asText()).isNotEqualTo(failedCharge);
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("failed");
        assertThat(reply.body().get("failure_code").asText()).isEqualTo("card_declined");
        assertThat(reply.body().get("payment_intent").asText()).isEqualTo(id);
    }

    @Test
    void anUnknownChargeIsNotFound() {
        Reply unknown = get("/v1/charges/ch_DoesNotExist0000000000");
        Reply malformed = get("/v1/charges/pi_123");
        Reply badExpand = get("/v1/charges/ch_DoesNotExist0000000000?expand[]=customer");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(unknown.error().get("code").asText()).isEqualTo("resource_missing");
        assertThat(unknown.error().get("param").asText()).isEqualTo("id");
        assertThat(unknown.error().get("message").asText()).isEqualTo("No such charge: 'ch_DoesNotExist0000000000'");
        assertThat(malformed.status()).isEqualTo(404);
        assertThat(malformed.error().get("message").asText()).isEqualTo("No such charge: 'pi_123'");
        assertThat(badExpand.status()).isEqualTo(400);
        assertThat(badExpand.error().get("param").asText()).isEqualTo("expand");
    }

    @Test
    void anotherAccountsChargeIsNotFound() {
        var other = registry.createAccount("Charges isolation test shop");
        String otherKey = registry.issue(other.id(), KeyKind.SECRET).key();
        String id = createIntent("{\"amount\": 2500, \"currency\": \"eur\"}");
        String chargeId = postForm("/v1/payment_intents/" + id + "/confirm", "payment_method=pm_card_visa").body()
                .get("latest_charge").asText();

        Reply reply = send("GET", "/v1/charges/" + chargeId, null, "Authorization", bearer(otherKey));

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.error().get("message").asText()).isEqualTo("No such charge: '" + chargeId + "'");
    }
}
