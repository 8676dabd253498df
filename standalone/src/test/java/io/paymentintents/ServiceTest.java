package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole service as a user runs it: real HTTP on a random port, the real Axon buses, event store and projection,
 * on one embedded PostgreSQL shared by every test class of this JVM (they share this Spring context).
 */
@SpringBootTest(classes = PaymentIntentsApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServiceTest {

    /** The CasaPay reference's own example key, so that its examples run verbatim. */
    protected static final String SECRET_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
    protected static final String PUBLISHABLE_KEY = "pk_test_TYooMQauvdEDq54NiTphI7jx";
    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DATA_DIRECTORY = temporaryDirectory();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @DynamicPropertySource
    static void serviceProperties(DynamicPropertyRegistry registry) {
        registry.add("payments.data-dir", DATA_DIRECTORY::toString);
        registry.add("payments.keys.secret", () -> SECRET_KEY);
        registry.add("payments.keys.publishable", () -> PUBLISHABLE_KEY);
        // webhook retries within a test's patience (WebhookDeliveryTest); a hanging receiver times out well after
        // a healthy one has been served, even on a loaded machine
        registry.add("payments.webhooks.retry.first-delay", () -> WEBHOOK_FIRST_RETRY_DELAY.toMillis() + "ms");
        registry.add("payments.webhooks.retry.max-delay", () -> "2s");
        registry.add("payments.webhooks.poll-interval", () -> "200ms");
        registry.add("payments.webhooks.event-wait", () -> "200ms");
        registry.add("payments.webhooks.read-timeout", () -> WEBHOOK_READ_TIMEOUT.toMillis() + "ms");
    }

    protected static final Duration WEBHOOK_FIRST_RETRY_DELAY = Duration.ofSeconds(1);
    protected static final Duration WEBHOOK_READ_TIMEOUT = Duration.ofSeconds(15);

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("payment-intents-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected String baseUrl() {
        return "http://localhost:" + port;
    }

    /** An HTTP exchange: status, headers and the body parsed as JSON. */
    public record Reply(int status, HttpResponse<String> raw, JsonNode body) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public JsonNode error() {
            return body.get("error");
        }
    }

    protected Reply send(String method, String path, String body, String... headers) {
        return sendBody(method, path, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8), headers);
    }

    /** As {@link #send(String, String, String, String...)}, for any body, including bytes that are not UTF-8. */
    protected Reply sendBody(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? null : JSON.readTree(response.body());
            // every body a test receives is held to Stripe's schema, whatever the test itself checks
            StripeSchemas.assertConforms(path, json);
            return new Reply(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    protected static String bearer(String key) {
        return "Bearer " + key;
    }

    /** POST with the secret key and a JSON body. */
    protected Reply postJson(String path, String json) {
        return send("POST", path, json, "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json");
    }

    /** POST with the secret key and a form body, as the Stripe SDKs send it. */
    protected Reply postForm(String path, String form) {
        return send("POST", path, form, "Authorization", bearer(SECRET_KEY),
                "Content-Type", "application/x-www-form-urlencoded");
    }

    protected Reply get(String path) {
        return send("GET", path, null, "Authorization", bearer(SECRET_KEY));
    }

    protected String createIntent(String json) {
        Reply reply = postJson("/v1/payment_intents", json);
        if (reply.status() != 200) {
            throw new AssertionError("create failed: " + reply.status() + " " + reply.body());
        }
        return reply.body().get("id").asText();
    }

    protected long eventCount() {
        return jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
    }

    protected long eventCount(String paymentIntentId) {
        return jdbc.queryForObject("SELECT count(*) FROM domain_event_entry WHERE aggregate_identifier = ?",
                Long.class, paymentIntentId);
    }

    protected static Map<String, String> fields(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().toString()));
        return map;
    }
}
