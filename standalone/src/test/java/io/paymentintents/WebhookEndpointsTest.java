package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.StripeClient;
import com.stripe.model.WebhookEndpoint;
import com.stripe.param.WebhookEndpointCreateParams;
import com.stripe.param.WebhookEndpointListParams;
import com.stripe.param.WebhookEndpointUpdateParams;
import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.KeyKind;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /v1/webhook_endpoints} as Stripe's clients use it: the object, its secret shown once, updates, lists,
 * deletion; and refusals, precise and without a trace. Each test works in an account of its own.
 */
class WebhookEndpointsTest extends ServiceTest {

    private static final String URL = "https://merchant.example/stripe/webhooks";

    @Autowired
    private ApiKeyRegistry registry;

    @Autowired
    private ClientSecrets clientSecrets;

    /** A fresh account's secret key. */
    private String newAccountKey() {
        return registry.issue(registry.createAccount("webhooks " + UUID.randomUUID()).id(), KeyKind.SECRET).key();
    }

    private Reply as(String key, String method, String path, String form, String... headers) {
        List<String> all = new ArrayList<>(List.of("Authorization", bearer(key)));
        if (form != null) {
            all.addAll(List.of("Content-Type", "application/x-www-form-urlencoded"));
        }
        all.addAll(List.of(headers));
        return send(method, path, form, all.toArray(String[]::new));
    }

    private JsonNode create(String key, String form) {
        Reply reply = as(key, "POST", "/v1/webhook_endpoints", form);
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        return reply.body();
    }

    private long endpointRows() {
        return jdbc.queryForObject("SELECT count(*) FROM webhook_endpoints", Long.class);
    }

    @Test
    void aCreatedEndpointIsStripesObjectAndOnlyTheCreateAnswerShowsItsSecret() {
        String key = newAccountKey();
        JsonNode created = create(key, "url=" + URL + "&enabled_events[]=payment_intent.succeeded"
                + "&enabled_events[]=payment_intent.payment_failed&description=Orders&metadata[team]=payments");

        String id = created.get("id").asText();
        assertThat(id).matches("we_[A-Za-z0-9]{24}");
        assertThat(fields(created)).containsOnlyKeys("id", "object", "api_version", "application", "created",
                "description", "enabled_events", "livemode", "metadata", "secret", "status", "url");
        assertThat(created.get("object").asText()).isEqualTo("webhook_endpoint");
        assertThat(created.get("url").asText()).isEqualTo(URL);
        assertThat(created.get("enabled_events").toString())
                .isEqualTo("[\"payment_intent.succeeded\",\"payment_intent.payment_failed\"]");
        assertThat(created.get("status").asText()).isEqualTo("enabled");
        assertThat(created.get("description").asText()).isEqualTo("Orders");
        assertThat(created.get("metadata").toString()).isEqualTo("{\"team\":\"payments\"}");
        assertThat(created.get("livemode").asBoolean()).isFalse();
        assertThat(created.get("api_version").isNull()).isTrue();
        assertThat(created.get("application").isNull()).isTrue();
        assertThat(created.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000,
                org.assertj.core.data.Offset.offset(60L));
        String secret = created.get("secret").asText();
        assertThat(secret).matches("whsec_[A-Za-z0-9]{32}");

        JsonNode retrieved = as(key, "GET", "/v1/webhook_endpoints/" + id, null).body();
        JsonNode listed = as(key, "GET", "/v1/webhook_endpoints", null).body().get("data").get(0);
        JsonNode updated = as(key, "POST", "/v1/webhook_endpoints/" + id, "description=Renamed").body();
        for (JsonNode shown : List.of(retrieved, listed, updated)) {
            assertThat(shown.has("secret")).as("%s", shown).isFalse();
            assertThat(shown.toString()).doesNotContain(secret);
            assertThat(shown.get("id").asText()).isEqualTo(id);
        }
        // the secret is derived from the id, never stored
        String row = jdbc.queryForObject("SELECT row_to_json(e)::text FROM webhook_endpoints e WHERE id = ?",
                String.class, id);
        assertThat(row).doesNotContain(secret).doesNotContain("whsec_");
        assertThat(clientSecrets.webhookSecret(id)).isEqualTo(secret);
    }

    @Test
    void aRetriedKeyedCreateMakesOneEndpointAndReplaysItsSecretWhichNoTableHolds() {
        String key = newAccountKey();
        String form = "url=" + URL + "&enabled_events[0]=*";
        Reply first = as(key, "POST", "/v1/webhook_endpoints", form, "Idempotency-Key", "create-we-1");
        Reply again = as(key, "POST", "/v1/webhook_endpoints", form, "Idempotency-Key", "create-we-1");

        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.body()).isEqualTo(first.body());
        String secret = first.body().get("secret").asText();
        assertThat(as(key, "GET", "/v1/webhook_endpoints", null).body().get("data")).hasSize(1);
        String stored = jdbc.queryForObject("SELECT response_body FROM idempotency_keys WHERE idempotency_key = ?",
                String.class, "create-we-1");
        assertThat(stored).contains(first.body().get("id").asText()).doesNotContain(secret);
    }

    @Test
    void anUpdateChangesWhatItNamesAndKeepsTheRest() {
        String key = newAccountKey();
        String id = create(key, "url=" + URL + "&enabled_events[]=*&description=First&metadata[a]=1&metadata[b]=2")
                .get("id").asText();

        JsonNode updated = as(key, "POST", "/v1/webhook_endpoints/" + id, "url=http://localhost:9/hooks"
                + "&enabled_events[]=payment_intent.canceled&disabled=true&metadata[a]=&metadata[c]=3").body();

        assertThat(updated.get("url").asText()).isEqualTo("http://localhost:9/hooks");
        assertThat(updated.get("enabled_events").toString()).isEqualTo("[\"payment_intent.canceled\"]");
        assertThat(updated.get("status").asText()).isEqualTo("disabled");
        assertThat(updated.get("description").asText()).isEqualTo("First");
        assertThat(updated.get("metadata").toString()).isEqualTo("{\"b\":\"2\",\"c\":\"3\"}");
        assertThat(as(key, "GET", "/v1/webhook_endpoints/" + id, null).body()).isEqualTo(updated);

        JsonNode enabled = as(key, "POST", "/v1/webhook_endpoints/" + id, "disabled=false&description=&metadata=")
                .body();
        assertThat(enabled.get("status").asText()).isEqualTo("enabled");
        assertThat(enabled.get("description").isNull()).isTrue();
        assertThat(enabled.get("metadata").toString()).isEqualTo("{}");
        assertThat(enabled.get("created").asLong()).isEqualTo(updated.get("created").asLong());
    }

    @Test
    void theListPagesNewestFirstWithCursorsBothWays() {
        String key = newAccountKey();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(0, create(key, "url=" + URL + "/" + i + "&enabled_events[]=*").get("id").asText());
        }

        JsonNode first = as(key, "GET", "/v1/webhook_endpoints?limit=2", null).body();
        assertThat(first.get("object").asText()).isEqualTo("list");
        assertThat(first.get("url").asText()).isEqualTo("/v1/webhook_endpoints");
        assertThat(ids(first)).containsExactly(ids.get(0), ids.get(1));
        assertThat(first.get("has_more").asBoolean()).isTrue();
        JsonNode second = as(key, "GET", "/v1/webhook_endpoints?limit=2&starting_after=" + ids.get(1), null).body();
        assertThat(ids(second)).containsExactly(ids.get(2), ids.get(3));
        JsonNode last = as(key, "GET", "/v1/webhook_endpoints?limit=2&starting_after=" + ids.get(3), null).body();
        assertThat(ids(last)).containsExactly(ids.get(4));
        assertThat(last.get("has_more").asBoolean()).isFalse();
        JsonNode back = as(key, "GET", "/v1/webhook_endpoints?limit=2&ending_before=" + ids.get(4), null).body();
        assertThat(ids(back)).containsExactly(ids.get(2), ids.get(3));
        assertThat(back.get("has_more").asBoolean()).isTrue();

        Reply unknownCursor = as(key, "GET", "/v1/webhook_endpoints?starting_after=we_nothinghere", null);
        assertThat(unknownCursor.status()).isEqualTo(404);
        assertThat(unknownCursor.error().get("param").asText()).isEqualTo("starting_after");
        Reply both = as(key, "GET", "/v1/webhook_endpoints?starting_after=" + ids.get(0) + "&ending_before="
                + ids.get(1), null);
        assertThat(both.status()).isEqualTo(400);
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.get("data").forEach(endpoint -> ids.add(endpoint.get("id").asText()));
        return ids;
    }

    @Test
    void aDeletedEndpointIsGoneEverywhere() {
        String key = newAccountKey();
        String id = create(key, "url=" + URL + "&enabled_events[]=*").get("id").asText();

        Reply deleted = as(key, "DELETE", "/v1/webhook_endpoints/" + id, null);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().toString())
                .isEqualTo("{\"id\":\"" + id + "\",\"object\":\"webhook_endpoint\",\"deleted\":true}");
        assertNoSuchEndpoint(as(key, "GET", "/v1/webhook_endpoints/" + id, null), id);
        assertNoSuchEndpoint(as(key, "DELETE", "/v1/webhook_endpoints/" + id, null), id);
        assertNoSuchEndpoint(as(key, "POST", "/v1/webhook_endpoints/" + id, "description=x"), id);
        assertThat(as(key, "GET", "/v1/webhook_endpoints", null).body().get("data")).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_endpoints WHERE id = ?", Long.class, id))
                .isZero();
    }

    private static void assertNoSuchEndpoint(Reply reply, String id) {
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(404);
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(reply.error().get("code").asText()).isEqualTo("resource_missing");
        assertThat(reply.error().get("message").asText()).isEqualTo("No such webhook endpoint: '" + id + "'");
    }

    @Test
    void anotherAccountsEndpointIsMissingExactlyAsOneThatDoesNotExist() {
        String owner = newAccountKey();
        String other = newAccountKey();
        String id = create(owner, "url=" + URL + "&enabled_events[]=*").get("id").asText();

        List<Reply> replies = List.of(
                as(other, "GET", "/v1/webhook_endpoints/" + id, null),
                as(other, "POST", "/v1/webhook_endpoints/" + id, "disabled=true"),
                as(other, "DELETE", "/v1/webhook_endpoints/" + id, null),
                as(other, "GET", "/v1/webhook_endpoints/" + id + "/deliveries", null),
                as(other, "POST", "/v1/webhook_endpoints/" + id + "/deliveries/whdel_x/retry", null));

        replies.forEach(reply -> assertNoSuchEndpoint(reply, id));
        String unknown = "we_" + "0".repeat(24);
        assertThat(replies.get(0).error().toString().replace(id, "ID"))
                .isEqualTo(as(other, "GET", "/v1/webhook_endpoints/" + unknown, null).error().toString()
                        .replace(unknown, "ID"));
        assertThat(as(other, "GET", "/v1/webhook_endpoints", null).body().get("data")).isEmpty();
        assertThat(as(other, "GET", "/v1/webhook_endpoints?starting_after=" + id, null).status()).isEqualTo(404);
        JsonNode untouched = as(owner, "GET", "/v1/webhook_endpoints/" + id, null).body();
        assertThat(untouched.get("status").asText()).isEqualTo("enabled");
    }

    @Test
    void aPublishableKeyIsRefused() {
        Reply reply = send("GET", "/v1/webhook_endpoints", null, "Authorization", bearer(PUBLISHABLE_KEY));
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.error().get("code").asText()).isEqualTo("secret_key_required");
    }

    /** Each bad request: its parameters, and the param and code of the 400 it must get. */
    private record Bad(String form, String param, String code) {
    }

    @Test
    void everyBadParameterIsNamedAndNothingIsStoredOrClaimed() {
        String key = newAccountKey();
        String id = create(key, "url=" + URL + "&enabled_events[]=*").get("id").asText();
        String events = "&enabled_events[]=*";
        List<Bad> creates = List.of(
                new Bad("enabled_events[]=*", "url", "parameter_missing"),
                new Bad("url=&enabled_events[]=*", "url", "parameter_missing"),
                new Bad("url=" + URL, "enabled_events", "parameter_missing"),
                new Bad("url=ftp://merchant.example/hooks" + events, "url", "url_invalid"),
                new Bad("url=/relative/hooks" + events, "url", "url_invalid"),
                new Bad("url=javascript:alert(1)" + events, "url", "url_invalid"),
                new Bad("url=https://user:pw@merchant.example/hooks" + events, "url", "url_invalid"),
                new Bad("url=https://merchant.example/hooks%23part" + events, "url", "url_invalid"),
                new Bad("url=https://merchant.example/" + "a".repeat(5000) + events, "url", "url_invalid"),
                new Bad("url=https://exa%20mple.com/" + events, "url", "url_invalid"),
                new Bad("url=" + URL + "&enabled_events[]=payment_intent.succeeded&enabled_events[]=charge.refunded",
                        "enabled_events[1]", "parameter_invalid_string"),
                new Bad("url=" + URL + "&enabled_events=*", "enabled_events", "parameter_invalid_string"),
                new Bad("url=" + URL + "&enabled_events[]=payment_intent.*", "enabled_events[0]",
                        "parameter_invalid_string"),
                new Bad("url=" + URL + events + "&connect=true", "connect", "parameter_unknown"),
                new Bad("url=" + URL + events + "&api_version=2023-08-16", "api_version", "parameter_unknown"),
                new Bad("url=" + URL + events + "&disabled=true", "disabled", "parameter_unknown"),
                new Bad("url=" + URL + events + "&description=" + "d".repeat(5001), "description",
                        "parameter_invalid_string"),
                new Bad("url=" + URL + events + "&metadata[" + "k".repeat(41) + "]=v", "metadata",
                        "parameter_invalid_string"),
                new Bad("url=" + URL + events + "&expand[]=secret", "expand", "parameter_invalid_string"));
        List<Bad> updates = List.of(
                new Bad("url=", "url", "parameter_invalid_empty"),
                new Bad("url=mailto:ops@merchant.example", "url", "url_invalid"),
                new Bad("enabled_events=", "enabled_events", "parameter_invalid_empty"),
                new Bad("enabled_events[]=payment_intent.refunded", "enabled_events[0]", "parameter_invalid_string"),
                new Bad("disabled=maybe", "disabled", "parameter_invalid_boolean"),
                new Bad("secret=whsec_mine", "secret", "parameter_unknown"),
                new Bad("status=disabled", "status", "parameter_unknown"));
        long rows = endpointRows();
        JsonNode before = as(key, "GET", "/v1/webhook_endpoints/" + id, null).body();

        int n = 0;
        for (Bad bad : creates) {
            assertRefused(as(key, "POST", "/v1/webhook_endpoints", bad.form(), "Idempotency-Key", "bad-" + n++), bad);
        }
        for (Bad bad : updates) {
            assertRefused(as(key, "POST", "/v1/webhook_endpoints/" + id, bad.form(), "Idempotency-Key",
                    "bad-" + n++), bad);
        }

        assertThat(endpointRows()).isEqualTo(rows);
        assertThat(as(key, "GET", "/v1/webhook_endpoints/" + id, null).body()).isEqualTo(before);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM idempotency_keys WHERE idempotency_key LIKE 'bad-%'",
                Long.class)).as("a refused request claims no Idempotency-Key").isZero();
        // the key of a refused request is free for the corrected one
        assertThat(as(key, "POST", "/v1/webhook_endpoints", "url=" + URL + events, "Idempotency-Key", "bad-0")
                .status()).isEqualTo(200);
    }

    private static void assertRefused(Reply reply, Bad bad) {
        assertThat(reply.status()).as("%s -> %s", bad.form(), reply.body()).isEqualTo(400);
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(reply.error().path("param").asText()).as("%s -> %s", bad.form(), reply.body())
                                                       .isEqualTo(bad.param());
        assertThat(reply.error().path("code").asText()).as("%s -> %s", bad.form(), reply.body())
                                                      .isEqualTo(bad.code());
    }

    @Test
    void anAccountHasAtMostSixteenEndpoints() {
        String key = newAccountKey();
        for (int i = 0; i < 16; i++) {
            create(key, "url=" + URL + "&enabled_events[]=*");
        }

        Reply seventeenth = as(key, "POST", "/v1/webhook_endpoints", "url=" + URL + "&enabled_events[]=*");

        assertThat(seventeenth.status()).isEqualTo(400);
        assertThat(seventeenth.error().get("message").asText()).contains("maximum of 16 webhook endpoints");
        assertThat(as(key, "GET", "/v1/webhook_endpoints?limit=100", null).body().get("data")).hasSize(16);
    }

    @Test
    void stripeJavaManagesEndpoints() throws Exception {
        StripeClient stripe = StripeClient.builder().setApiKey(newAccountKey()).setApiBase(baseUrl())
                                          .setMaxNetworkRetries(0).build();

        WebhookEndpoint created = stripe.v1().webhookEndpoints().create(WebhookEndpointCreateParams.builder()
                .setUrl(URL)
                .addEnabledEvent(WebhookEndpointCreateParams.EnabledEvent.PAYMENT_INTENT__SUCCEEDED)
                .addEnabledEvent(WebhookEndpointCreateParams.EnabledEvent.PAYMENT_INTENT__CANCELED)
                .putMetadata("team", "payments")
                .build());
        assertThat(created.getSecret()).startsWith("whsec_");
        assertThat(created.getEnabledEvents()).containsExactly("payment_intent.succeeded",
                "payment_intent.canceled");

        WebhookEndpoint disabled = stripe.v1().webhookEndpoints().update(created.getId(),
                WebhookEndpointUpdateParams.builder().setDisabled(true).build());
        assertThat(disabled.getStatus()).isEqualTo("disabled");
        assertThat(disabled.getSecret()).isNull();
        assertThat(stripe.v1().webhookEndpoints().retrieve(created.getId()).getMetadata())
                .isEqualTo(Map.of("team", "payments"));
        assertThat(stripe.v1().webhookEndpoints().list(WebhookEndpointListParams.builder().build()).getData())
                .extracting(WebhookEndpoint::getId).containsExactly(created.getId());
        WebhookEndpoint deleted = stripe.v1().webhookEndpoints().delete(created.getId());
        assertThat(deleted.getDeleted()).isTrue();
    }
}
