package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Form bodies as the Stripe SDKs send them, and JSON, through one parameter model; Stripe's headers. */
class WireFormatTest extends ServiceTest {

    @Test
    void aFormBodyWithBracketsCreatesTheSameIntentAsJson() {
        Reply form = postForm("/v1/payment_intents", "amount=2500&currency=eur&metadata[order_id]=42"
                + "&metadata[note]=a%20b%26c&payment_method_types[0]=card&payment_method_types[1]=direct_debit"
                + "&description=Caf%C3%A9&capture_method=manual");
        Reply json = postJson("/v1/payment_intents", "{\"amount\": 2500, \"currency\": \"eur\", \"metadata\": "
                + "{\"order_id\": \"42\", \"note\": \"a b&c\"}, \"payment_method_types\": [\"card\", \"direct_debit\"], "
                + "\"description\": \"Café\", \"capture_method\": \"manual\"}");

        assertThat(form.status()).isEqualTo(200);
        for (String field : new String[]{"amount", "currency", "metadata", "payment_method_types", "description",
                "capture_method", "status"}) {
            assertThat(form.body().get(field)).as(field).isEqualTo(json.body().get(field));
        }
    }

    @Test
    void appendedArraysAndBooleansWorkInForms() {
        Reply reply = postForm("/v1/payment_intents", "amount=2500&currency=usd&payment_method_types[]=card"
                + "&payment_method=pm_card_visa&confirm=true");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(reply.body().get("payment_method_types").toString()).isEqualTo("[\"card\"]");
    }

    @Test
    void bothEncodingsGiveIdenticalErrors() {
        String[][] pairs = {
                {"amount=2500&currency=usd&colour=red", "{\"amount\": 2500, \"currency\": \"usd\", \"colour\": \"red\"}"},
                {"amount=abc&currency=usd", "{\"amount\": \"abc\", \"currency\": \"usd\"}"},
                {"currency=usd", "{\"currency\": \"usd\"}"},
                {"amount=2500&currency=usd&confirm=maybe", "{\"amount\": 2500, \"currency\": \"usd\", \"confirm\": \"maybe\"}"},
                {"amount=2500&currency=usd&metadata[" + "k".repeat(41) + "]=v",
                        "{\"amount\": 2500, \"currency\": \"usd\", \"metadata\": {\"" + "k".repeat(41) + "\": \"v\"}}"}};
        for (String[] pair : pairs) {
            long before = eventCount();
            JsonNode form = postForm("/v1/payment_intents", pair[0]).error();
            JsonNode json = postJson("/v1/payment_intents", pair[1]).error();
            assertThat(form).as(pair[0]).isEqualTo(json);
            assertThat(eventCount()).isEqualTo(before);
        }
    }

    @Test
    void anEmptyValueUnsetsAFieldAndAnEmptyMetadataUnsetsAllKeys() {
        String id = createIntent("{\"amount\": 2500, \"currency\": \"usd\", \"description\": \"d\", "
                + "\"metadata\": {\"a\": \"1\", \"b\": \"2\", \"c\": \"3\"}}");

        Reply oneKey = postForm("/v1/payment_intents/" + id, "metadata[a]=&description=");
        assertThat(oneKey.body().get("description").isNull()).isTrue();
        assertThat(oneKey.body().get("metadata").toString()).isEqualTo("{\"b\":\"2\",\"c\":\"3\"}");

        Reply allKeys = postForm("/v1/payment_intents/" + id, "metadata=");
        assertThat(allKeys.body().get("metadata").size()).isZero();

        Reply jsonNull = postJson("/v1/payment_intents/" + id, "{\"metadata\": {\"x\": \"1\"}, \"description\": \"e\"}");
        assertThat(jsonNull.body().get("metadata").toString()).isEqualTo("{\"x\":\"1\"}");
        Reply unsetByNull = postJson("/v1/payment_intents/" + id, "{\"metadata\": null, \"description\": null}");
        assertThat(unsetByNull.body().get("metadata").size()).isZero();
        assertThat(unsetByNull.body().get("description").isNull()).isTrue();
    }

    @Test
    void hostileFormsAreRejectedWithoutWriting() {
        long before = eventCount();

        Reply deep = postForm("/v1/payment_intents", "amount=2500&currency=usd&metadata[a][b][c][d][e]=x");
        Reply badPercent = postForm("/v1/payment_intents", "amount=2500&currency=usd&description=%E0%A4%A");
        Reply badUtf8 = send("POST", "/v1/payment_intents", null, "Authorization", bearer(SECRET_KEY));
        Reply conflicting = postForm("/v1/payment_intents", "amount=2500&currency=usd&metadata=x&metadata[a]=y");

        assertThat(deep.status()).isEqualTo(400);
        assertThat(deep.error().get("message").asText()).contains("nested too deeply");
        assertThat(badPercent.status()).isEqualTo(400);
        assertThat(badUtf8.status()).isEqualTo(400);
        assertThat(conflicting.status()).isEqualTo(400);
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void invalidUtf8IsRejected() {
        long before = eventCount();

        Reply reply = sendBody("POST", "/v1/payment_intents", HttpRequest.BodyPublishers.ofByteArray(new byte[]{'{', '"',
                'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}), "Authorization", bearer(SECRET_KEY),
                "Content-Type", "application/json");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().get("message").asText()).contains("UTF-8");
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void stripeVersionIsAcceptedAndEchoed() {
        Reply reply = send("GET", "/v1/payment_intents?limit=1", null, "Authorization", bearer(SECRET_KEY),
                "Stripe-Version", "2023-08-16");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Stripe-Version")).isEqualTo("2023-08-16");
        assertThat(reply.header("Request-Id")).startsWith("req_");
    }

    @Test
    void browsersGetCorsHeaders() throws Exception {
        HttpResponse<String> preflight = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(baseUrl() + "/v1/payment_intents"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://shop.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
                .build(), HttpResponse.BodyHandlers.ofString());
        Reply actual = send("GET", "/v1/payment_intents?limit=1", null, "Authorization", bearer(SECRET_KEY),
                "Origin", "https://shop.example");

        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://shop.example");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                .contains("idempotency-key");
        assertThat(actual.header("Access-Control-Allow-Origin")).isEqualTo("https://shop.example");
        assertThat(actual.header("Access-Control-Expose-Headers")).contains("Request-Id");
    }
}
