package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.KeyKind;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a publishable key may do, as with Stripe.js: retrieve an intent and confirm it, each with the intent's
 * client_secret, and see the intent reduced to what Stripe shows a publishable key. Everything else is refused.
 */
class PublishableKeyTest extends ServiceTest {

    /** Stripe's publishable-key view of a PaymentIntent (no amount_details here: the service has none). */
    private static final List<String> REDUCED_FIELDS = List.of("id", "object", "amount", "canceled_at",
            "cancellation_reason", "capture_method", "client_secret", "confirmation_method", "created", "currency",
            "description", "last_payment_error", "livemode", "next_action", "payment_method", "payment_method_types",
            "status");

    @Autowired
    private ApiKeyRegistry registry;

    private record Intent(String id, String clientSecret) {
    }

    private Intent intent(String json) {
        Reply reply = postJson("/v1/payment_intents", json);
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        return new Intent(reply.body().get("id").asText(), reply.body().get("client_secret").asText());
    }

    private Intent intent() {
        return intent("{\"amount\": 2000, \"currency\": \"usd\", \"customer\": \"cus_private\", "
                + "\"description\": \"Order 42\", \"metadata\": {\"internal_note\": \"VIP\"}}");
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private Reply retrieve(String id, String query, String... headers) {
        return send("GET", "/v1/payment_intents/" + id + query, null, headers);
    }

    /** How Stripe.js confirms: a form body with the publishable key as {@code key}, no Authorization header. */
    private Reply confirmLikeStripeJs(String id, String form) {
        return send("POST", "/v1/payment_intents/" + id + "/confirm", form + "&key=" + PUBLISHABLE_KEY,
                "Content-Type", "application/x-www-form-urlencoded");
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void retrieveWithTheClientSecretShowsTheReducedObject() {
        Intent intent = intent();

        Reply reply = retrieve(intent.id(), "?client_secret=" + encoded(intent.clientSecret()),
                "Authorization", bearer(PUBLISHABLE_KEY));

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(fieldNames(reply.body())).containsExactlyElementsOf(REDUCED_FIELDS);
        assertThat(reply.body().get("client_secret").asText()).isEqualTo(intent.clientSecret());
        assertThat(reply.body().get("amount").asLong()).isEqualTo(2000);
        assertThat(reply.body().get("description").asText()).isEqualTo("Order 42");
        assertThat(reply.body().toString()).doesNotContain("cus_private", "internal_note", "VIP");
    }

    @Test
    void theKeyMayComeAsTheKeyParameterAsStripeJsSendsIt() {
        Intent intent = intent();

        Reply reply = retrieve(intent.id(), "?key=" + PUBLISHABLE_KEY + "&client_secret="
                + encoded(intent.clientSecret()));

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(fieldNames(reply.body())).containsExactlyElementsOf(REDUCED_FIELDS);
    }

    @Test
    void aWrongOrMissingClientSecretIsRefused() {
        Intent intent = intent();
        Intent another = intent();

        for (String wrong : List.of(another.clientSecret(), intent.clientSecret() + "x",
                intent.id() + "_secret_" + "0".repeat(25))) {
            Reply reply = retrieve(intent.id(), "?client_secret=" + encoded(wrong),
                    "Authorization", bearer(PUBLISHABLE_KEY));
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(reply.error().get("code").asText()).isEqualTo("payment_intent_invalid_parameter");
            assertThat(reply.error().get("param").asText()).isEqualTo("client_secret");
            assertThat(reply.error().get("message").asText()).isEqualTo("The client_secret provided does not "
                    + "match the client_secret associated with the PaymentIntent.");
        }
        Reply missing = retrieve(intent.id(), "", "Authorization", bearer(PUBLISHABLE_KEY));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error().get("code").asText()).isEqualTo("parameter_missing");
        assertThat(missing.error().get("param").asText()).isEqualTo("client_secret");
    }

    @Test
    void confirmWithTheClientSecretConfirmsAndAnswersReduced() {
        Intent intent = intent();
        long eventsBefore = eventCount(intent.id());

        Reply reply = confirmLikeStripeJs(intent.id(), "payment_method=pm_card_visa&return_url="
                + encoded("https://shop.example/done") + "&client_secret=" + encoded(intent.clientSecret()));

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(fieldNames(reply.body())).containsExactlyElementsOf(REDUCED_FIELDS);
        assertThat(eventCount(intent.id())).isGreaterThan(eventsBefore);
        Reply full = get("/v1/payment_intents/" + intent.id());
        assertThat(full.body().get("amount_received").asLong()).isEqualTo(2000);
        assertThat(full.body().get("payment_method").asText()).isEqualTo("pm_card_visa");
    }

    @Test
    void confirmWithTheKeyInTheAuthorizationHeaderAndAJsonBody() {
        Intent intent = intent("{\"amount\": 3000, \"currency\": \"eur\", \"capture_method\": \"manual\", "
                + "\"payment_method\": \"pm_card_mastercard\"}");

        Reply reply = send("POST", "/v1/payment_intents/" + intent.id() + "/confirm",
                "{\"client_secret\": \"" + intent.clientSecret() + "\"}",
                "Authorization", bearer(PUBLISHABLE_KEY), "Content-Type", "application/json");

        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("requires_capture");
    }

    @Test
    void aWrongOrMissingClientSecretConfirmsNothing() {
        Intent intent = intent();
        Intent another = intent();
        long eventsBefore = eventCount(intent.id());

        Reply wrong = confirmLikeStripeJs(intent.id(), "payment_method=pm_card_visa&client_secret="
                + encoded(another.clientSecret()));
        Reply missing = confirmLikeStripeJs(intent.id(), "payment_method=pm_card_visa");

        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.error().get("code").asText()).isEqualTo("payment_intent_invalid_parameter");
        assertThat(wrong.error().get("param").asText()).isEqualTo("client_secret");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error().get("code").asText()).isEqualTo("parameter_missing");
        assertThat(missing.error().get("param").asText()).isEqualTo("client_secret");
        assertThat(eventCount(intent.id())).isEqualTo(eventsBefore);
        assertThat(get("/v1/payment_intents/" + intent.id()).body().get("status").asText())
                .isEqualTo("requires_payment_method");
    }

    @Test
    void aDeclineShowsThePublishableKeyTheReducedIntent() {
        Intent intent = intent();

        Reply reply = confirmLikeStripeJs(intent.id(), "payment_method=pm_card_chargeDeclined&client_secret="
                + encoded(intent.clientSecret()));

        assertThat(reply.status()).isEqualTo(402);
        assertThat(reply.error().get("code").asText()).isEqualTo("card_declined");
        JsonNode embedded = reply.error().get("payment_intent");
        assertThat(fieldNames(embedded)).containsExactlyElementsOf(REDUCED_FIELDS);
        assertThat(embedded.get("last_payment_error").get("decline_code").asText()).isEqualTo("generic_decline");
        assertThat(reply.body().toString()).doesNotContain("cus_private", "internal_note");
    }

    @Test
    void aReplayedDeclineIsAsReducedAsTheOriginal() {
        Intent intent = intent();
        String form = "payment_method=pm_card_chargeDeclined&client_secret=" + encoded(intent.clientSecret())
                + "&key=" + PUBLISHABLE_KEY;
        String key = "pk-replay-" + System.nanoTime();

        Reply first = send("POST", "/v1/payment_intents/" + intent.id() + "/confirm", form,
                "Content-Type", "application/x-www-form-urlencoded", "Idempotency-Key", key);
        Reply replay = send("POST", "/v1/payment_intents/" + intent.id() + "/confirm", form,
                "Content-Type", "application/x-www-form-urlencoded", "Idempotency-Key", key);

        assertThat(replay.status()).isEqualTo(402);
        assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat(fieldNames(replay.error().get("payment_intent"))).containsExactlyElementsOf(REDUCED_FIELDS);
        assertThat(replay.body().toString()).doesNotContain("cus_private", "internal_note");
    }

    @Test
    void anotherAccountsPublishableKeyFindsNothingEvenWithTheClientSecret() {
        Intent intent = intent();
        String otherAccount = registry.createAccount("Publishable isolation").id();
        String otherPublishable = registry.issue(otherAccount, KeyKind.PUBLISHABLE).key();
        long eventsBefore = eventCount(intent.id());

        Reply retrieved = retrieve(intent.id(), "?client_secret=" + encoded(intent.clientSecret()),
                "Authorization", bearer(otherPublishable));
        Reply confirmed = send("POST", "/v1/payment_intents/" + intent.id() + "/confirm",
                "payment_method=pm_card_visa&client_secret=" + encoded(intent.clientSecret()) + "&key="
                        + otherPublishable, "Content-Type", "application/x-www-form-urlencoded");

        assertThat(retrieved.status()).isEqualTo(404);
        assertThat(retrieved.error().get("code").asText()).isEqualTo("resource_missing");
        assertThat(confirmed.status()).isEqualTo(404);
        assertThat(eventCount(intent.id())).isEqualTo(eventsBefore);
    }

    @Test
    void everyOtherEndpointRefusesAPublishableKey() {
        Intent intent = intent("{\"amount\": 2000, \"currency\": \"usd\", \"capture_method\": \"manual\", "
                + "\"payment_method\": \"pm_card_visa\", \"confirm\": true}");
        long eventsBefore = eventCount();
        String secret = "client_secret=" + encoded(intent.clientSecret());
        String form = "application/x-www-form-urlencoded";
        String base = "/v1/payment_intents";

        List<Reply> replies = List.of(
                send("POST", base, "amount=1000&currency=usd", "Authorization", bearer(PUBLISHABLE_KEY),
                        "Content-Type", form),
                send("POST", base + "/" + intent.id(), "description=changed&" + secret,
                        "Authorization", bearer(PUBLISHABLE_KEY), "Content-Type", form),
                send("POST", base + "/" + intent.id() + "/cancel", secret, "Authorization",
                        basic(PUBLISHABLE_KEY), "Content-Type", form),
                send("POST", base + "/" + intent.id() + "/capture", secret + "&key=" + PUBLISHABLE_KEY,
                        "Content-Type", form),
                send("GET", base + "?limit=3", null, "Authorization", bearer(PUBLISHABLE_KEY)),
                send("GET", base + "?limit=3&key=" + PUBLISHABLE_KEY, null),
                send("GET", base + "/search?query=" + encoded("status:\"succeeded\""), null,
                        "Authorization", bearer(PUBLISHABLE_KEY)));

        for (Reply reply : replies) {
            assertThat(reply.status()).as("%s", reply.body()).isEqualTo(403);
            assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(reply.error().get("code").asText()).isEqualTo("secret_key_required");
            assertThat(reply.error().get("message").asText()).startsWith("This API call cannot be made with a "
                    + "publishable API key. Please use a secret API key. You can find a list of your API keys ");
        }
        assertThat(eventCount()).isEqualTo(eventsBefore);
        assertThat(get(base + "/" + intent.id()).body().get("status").asText()).isEqualTo("requires_capture");
    }

    @Test
    void aSecretKeyIsNeverTakenFromTheKeyParameter() {
        Intent intent = intent();

        Reply reply = retrieve(intent.id(), "?key=" + SECRET_KEY);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.error().get("message").asText()).startsWith("A secret API key cannot be sent as the key "
                + "parameter.");
        assertThat(reply.body().toString()).doesNotContain(SECRET_KEY);
    }

    @Test
    void aSecretKeyMayRetrieveAndConfirmWithOrWithoutTheClientSecret() {
        Intent intent = intent();

        Reply retrieved = get("/v1/payment_intents/" + intent.id() + "?client_secret=whatever");
        Reply confirmed = postJson("/v1/payment_intents/" + intent.id() + "/confirm",
                "{\"payment_method\": \"pm_card_visa\", \"client_secret\": \"" + intent.clientSecret() + "\"}");

        assertThat(retrieved.status()).isEqualTo(200);
        assertThat(retrieved.body().get("metadata").get("internal_note").asText()).isEqualTo("VIP");
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.body().has("charges")).isTrue();
    }
}
