package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hosted test-mode authentication page ({@code /test_mode/authenticate}) as plain HTTP sees it: what it shows,
 * the headers that keep its secret-bearing URL private, its refusals, and where its buttons send the customer. The
 * browser's view of the same page is {@link HostedAuthenticationPageBrowserTest}.
 */
class HostedAuthenticationPageTest extends ServiceTest {

    /** Never follows redirects: the 303 and its Location are what is checked. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private JsonNode requiringAction(String json) {
        Reply reply = postJson("/v1/payment_intents", json);
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("requires_action");
        return reply.body();
    }

    private JsonNode requiringAction(String returnUrl, String description) {
        return requiringAction("{\"amount\": 2500, \"currency\": \"eur\", \"payment_method\": "
                + "\"pm_card_authenticationRequired\", \"confirm\": true"
                + (returnUrl == null ? "" : ", \"return_url\": " + JSON.valueToTree(returnUrl))
                + (description == null ? "" : ", \"description\": " + JSON.valueToTree(description)) + "}");
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> page(String query) {
        return exchange(HttpRequest.newBuilder(URI.create(baseUrl() + "/test_mode/authenticate" + query)).GET());
    }

    private HttpResponse<String> press(String clientSecret, String outcome) {
        return exchange(HttpRequest.newBuilder(URI.create(baseUrl() + "/test_mode/authenticate"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("client_secret=" + encoded(clientSecret) + "&outcome="
                        + outcome)));
    }

    private static HttpResponse<String> exchange(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private String status(String id) {
        return get("/v1/payment_intents/" + id).body().get("status").asText();
    }

    @Test
    void thePageShowsTheAmountAndTheDescriptionEscaped() {
        JsonNode intent = requiringAction(null, "<script>alert(\"x\")</script> & Co's order");

        HttpResponse<String> page = page("?client_secret=" + encoded(intent.get("client_secret").asText()));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(header(page, "Content-Type")).startsWith("text/html").containsIgnoringCase("charset=UTF-8");
        assertThat(page.body()).contains("<dd id=\"amount\">25.00 eur</dd>");
        assertThat(page.body()).contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co&#39;s order");
        assertThat(page.body()).doesNotContain("<script>");
        assertThat(page.body()).contains("id=\"complete\"", "Complete authentication", "id=\"fail\"",
                "Fail authentication", "name=\"outcome\" value=\"success\"", "name=\"outcome\" value=\"failure\"");
    }

    @Test
    void amountsAreShownInTheCurrencysOwnDecimals() {
        String yen = requiringAction("{\"amount\": 5000, \"currency\": \"jpy\", \"payment_method\": "
                + "\"pm_card_authenticationRequired\", \"confirm\": true}").get("client_secret").asText();
        String dollars = requiringAction("{\"amount\": 123456, \"currency\": \"usd\", \"payment_method\": "
                + "\"pm_card_authenticationRequired\", \"confirm\": true}").get("client_secret").asText();

        assertThat(page("?client_secret=" + encoded(yen)).body()).contains("<dd id=\"amount\">5,000 jpy</dd>");
        assertThat(page("?client_secret=" + encoded(dollars)).body()).contains("<dd id=\"amount\">$1,234.56 usd</dd>");
    }

    @Test
    void thePageIsNeitherCachedNorLeakedByReferer() {
        JsonNode intent = requiringAction("https://shop.example:8443/done", null);

        HttpResponse<String> page = page("?client_secret=" + encoded(intent.get("client_secret").asText()));

        assertThat(header(page, "Cache-Control")).isEqualTo("no-store");
        assertThat(header(page, "Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(header(page, "Content-Security-Policy"))
                .contains("default-src 'none'", "style-src 'unsafe-inline'",
                        "form-action 'self' https://shop.example:8443");
        // 3-D Secure pages are shown in iframes: framing stays allowed
        assertThat(header(page, "X-Frame-Options")).isNull();
        assertThat(header(page, "Content-Security-Policy")).doesNotContain("frame-ancestors");
        assertThat(header(page, "Request-Id")).startsWith("req_");
    }

    @Test
    void anUnknownOrMissingClientSecretIsNotFound() {
        JsonNode intent = requiringAction(null, null);
        String secret = intent.get("client_secret").asText();
        String forged = secret.substring(0, secret.length() - 1) + (secret.endsWith("A") ? "B" : "A");
        String otherIntentsId = createIntent("{\"amount\": 1000, \"currency\": \"eur\"}");
        String transplanted = otherIntentsId + secret.substring(secret.indexOf("_secret_"));

        for (String query : new String[]{"?client_secret=" + encoded(forged), "?client_secret=" + encoded(transplanted),
                "?client_secret=nonsense", "", "?client_secret="}) {
            HttpResponse<String> page = page(query);
            assertThat(page.statusCode()).as(query).isEqualTo(404);
            assertThat(header(page, "Content-Type")).as(query).startsWith("text/html");
            assertThat(header(page, "Cache-Control")).as(query).isEqualTo("no-store");
            assertThat(page.body()).as(query).contains("Payment not found");
        }
        HttpResponse<String> pressed = press(forged, "success");
        assertThat(pressed.statusCode()).isEqualTo(404);
        assertThat(status(intent.get("id").asText())).isEqualTo("requires_action");
    }

    @Test
    void anIntentThatIsNotAwaitingAuthenticationIsAConflict() {
        Reply created = postJson("/v1/payment_intents", "{\"amount\": 1000, \"currency\": \"eur\"}");
        String secret = created.body().get("client_secret").asText();

        HttpResponse<String> shown = page("?client_secret=" + encoded(secret));
        HttpResponse<String> pressed = press(secret, "success");

        assertThat(shown.statusCode()).isEqualTo(409);
        assertThat(shown.body()).contains("requires_payment_method").doesNotContain("id=\"complete\"");
        assertThat(pressed.statusCode()).isEqualTo(409);
        assertThat(status(created.body().get("id").asText())).isEqualTo("requires_payment_method");
    }

    @Test
    void completingSendsTheCustomerBackWithStripesParametersAddedToTheReturnUrlsQuery() {
        JsonNode intent = requiringAction("https://shop.example/done?order=7#top", null);
        String id = intent.get("id").asText();
        String secret = intent.get("client_secret").asText();

        HttpResponse<String> pressed = press(secret, "success");

        assertThat(pressed.statusCode()).isEqualTo(303);
        assertThat(header(pressed, "Location")).isEqualTo("https://shop.example/done?order=7&payment_intent=" + id
                + "&payment_intent_client_secret=" + secret + "&redirect_status=succeeded#top");
        assertThat(header(pressed, "Cache-Control")).isEqualTo("no-store");
        assertThat(header(pressed, "Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(status(id)).isEqualTo("succeeded");
    }

    @Test
    void failingSendsTheCustomerBackWithRedirectStatusFailed() {
        JsonNode intent = requiringAction("https://shop.example/done", null);
        String id = intent.get("id").asText();
        String secret = intent.get("client_secret").asText();

        HttpResponse<String> pressed = press(secret, "failure");

        assertThat(pressed.statusCode()).isEqualTo(303);
        assertThat(header(pressed, "Location")).isEqualTo("https://shop.example/done?payment_intent=" + id
                + "&payment_intent_client_secret=" + secret + "&redirect_status=failed");
        JsonNode after = get("/v1/payment_intents/" + id).body();
        assertThat(after.get("status").asText()).isEqualTo("requires_payment_method");
        assertThat(after.at("/last_payment_error/code").asText()).isEqualTo("payment_intent_authentication_failure");
    }

    @Test
    void aPaymentDeclinedAfterAuthenticationReturnsAsFailed() {
        JsonNode intent = requiringAction("{\"amount\": 2500, \"currency\": \"eur\", \"payment_method\": "
                + "\"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds\", \"confirm\": true, "
                + "\"return_url\": \"https://shop.example/done\"}");

        HttpResponse<String> pressed = press(intent.get("client_secret").asText(), "success");

        assertThat(pressed.statusCode()).isEqualTo(303);
        assertThat(header(pressed, "Location")).endsWith("&redirect_status=failed");
        assertThat(get("/v1/payment_intents/" + intent.get("id").asText()).body()
                .at("/last_payment_error/decline_code").asText()).isEqualTo("insufficient_funds");
    }

    @Test
    void withoutAReturnUrlThePageSaysTheWindowCanBeClosed() {
        JsonNode completed = requiringAction(null, null);
        JsonNode failed = requiringAction(null, null);

        HttpResponse<String> success = press(completed.get("client_secret").asText(), "success");
        HttpResponse<String> failure = press(failed.get("client_secret").asText(), "failure");

        assertThat(success.statusCode()).isEqualTo(200);
        assertThat(success.body()).contains("Authentication complete", "You can close this window.");
        assertThat(failure.statusCode()).isEqualTo(200);
        assertThat(failure.body()).contains("Authentication failed");
        assertThat(status(completed.get("id").asText())).isEqualTo("succeeded");
        assertThat(status(failed.get("id").asText())).isEqualTo("requires_payment_method");
    }

    @Test
    void pressingASecondTimeChangesNothing() {
        JsonNode intent = requiringAction("https://shop.example/done", null);
        String secret = intent.get("client_secret").asText();
        press(secret, "success");
        long events = eventCount(intent.get("id").asText());

        HttpResponse<String> again = press(secret, "failure");

        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("succeeded");
        assertThat(eventCount(intent.get("id").asText())).isEqualTo(events);
    }

    @Test
    void anOutcomeOtherThanTheButtonsIsRefused() {
        JsonNode intent = requiringAction(null, null);
        long events = eventCount(intent.get("id").asText());

        HttpResponse<String> pressed = press(intent.get("client_secret").asText(), "maybe");
        HttpResponse<String> badEncoding = exchange(HttpRequest.newBuilder(URI.create(baseUrl()
                        + "/test_mode/authenticate")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("client_secret=%zz&outcome=success")));

        assertThat(pressed.statusCode()).isEqualTo(400);
        assertThat(header(pressed, "Content-Type")).startsWith("text/html");
        assertThat(badEncoding.statusCode()).isEqualTo(400);
        assertThat(header(badEncoding, "Content-Type")).startsWith("text/html");
        assertThat(eventCount(intent.get("id").asText())).isEqualTo(events);
    }

    @Test
    void aReturnUrlThatIsNoPageIsRefusedBeforeAnyIntentCouldRedirectToIt() {
        long events = eventCount();

        Reply refused = postJson("/v1/payment_intents", "{\"amount\": 1500, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_authenticationRequired\", \"confirm\": true, "
                + "\"return_url\": \"javascript:alert(1)\"}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.error().get("code").asText()).isEqualTo("url_invalid");
        assertThat(refused.error().get("param").asText()).isEqualTo("return_url");
        assertThat(eventCount()).isEqualTo(events);
    }
}
