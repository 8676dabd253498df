package io.paymentintents;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code payments.rate-limit} end to end. The bucket arithmetic, per-key buckets and their bound are unit-tested on a
 * fake clock (api-gateway's RateLimitInterceptorTest); here, a service started with the limit on answers 429 in
 * Stripe's form, writes nothing for the refused request, and does not remember its Idempotency-Key.
 */
class RateLimitTest extends ServiceTest {

    private static final int BURST = 5;

    @Autowired
    private EmbeddedPostgres sharedPostgres;

    @Test
    void theStandaloneServiceDoesNotLimitUnlessConfiguredTo() {
        for (int i = 0; i < 100; i++) {
            assertThat(get("/v1/payment_intents?limit=1").status()).isEqualTo(200);
        }
    }

    @Test
    void overItsLimitAKeyGets429WithRetryAfterAndTheRefusedRequestWritesNothingNorKeepsItsIdempotencyKey()
            throws Exception {
        jdbc.execute("CREATE DATABASE rate_limited");
        String url = sharedPostgres.getJdbcUrl("postgres", "rate_limited");
        try (ConfigurableApplicationContext app = start(Map.of("spring.datasource.url", url,
                "spring.datasource.username", "postgres",
                "payments.data-dir", Files.createTempDirectory("rate-limited").toString(),
                "payments.rate-limit.enabled", "true",
                "payments.rate-limit.requests-per-second", "1",
                "payments.rate-limit.burst", Integer.toString(BURST)))) {
            int appPort = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
            JdbcTemplate db = new JdbcTemplate(new SingleConnectionDataSource(url, "postgres", "", true));

            // a full bucket: the whole burst passes
            for (int i = 0; i < BURST; i++) {
                assertThat(create(appPort, "burst-" + i).status()).as("request %d of the burst", i + 1)
                        .isEqualTo(200);
            }
            // one token a second comes back, far slower than these requests go out
            Reply refused = null;
            String refusedKey = null;
            long eventsBeforeRefusal = 0;
            for (int i = 0; i < 20 && refused == null; i++) {
                long events = events(db);
                Reply reply = create(appPort, "over-" + i);
                if (reply.status() == 429) {
                    refused = reply;
                    refusedKey = "over-" + i;
                    eventsBeforeRefusal = events;
                } else {
                    assertThat(reply.status()).isEqualTo(200);
                }
            }

            assertThat(refused).as("a 429 within 20 requests past the burst").isNotNull();
            assertThat(refused.header("Request-Id")).startsWith("req_");
            assertThat(refused.header("Stripe-Should-Retry")).isEqualTo("true");
            assertThat(refused.error().get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(refused.error().get("code").asText()).isEqualTo("rate_limit");
            assertThat(refused.error().get("message").asText()).isEqualTo("Too many requests hit the API too "
                    + "quickly. We recommend an exponential backoff of your requests.");
            assertThat(refused.error().has("param")).isFalse();
            assertThat(refused.header("Retry-After")).matches("[1-9][0-9]*");
            assertThat(events(db)).as("events after the refused request").isEqualTo(eventsBeforeRefusal);
            assertThat(db.queryForObject("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = ?",
                    Long.class, refusedKey)).isZero();
            // reads count too
            assertThat(sendTo(appPort, "GET", "/v1/payment_intents?limit=1", null, null).status()).isEqualTo(429);

            Thread.sleep(Long.parseLong(refused.header("Retry-After")) * 1000);
            Reply retried = create(appPort, refusedKey);

            assertThat(retried.status()).isEqualTo(200);
            assertThat(retried.header("Idempotent-Replayed")).isNull();
            assertThat(events(db)).isGreaterThan(eventsBeforeRefusal);
        }
    }

    private Reply create(int appPort, String idempotencyKey) {
        return sendTo(appPort, "POST", "/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                idempotencyKey);
    }

    private static long events(JdbcTemplate db) {
        return db.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
    }

    private ConfigurableApplicationContext start(Map<String, String> properties) {
        Map<String, Object> all = new java.util.HashMap<>(properties);
        all.put("server.port", "0");
        all.put("payments.keys.secret", SECRET_KEY);
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplication(PaymentIntentsApplication.class).run(args);
    }

    /** {@link #send} to the other application. */
    private Reply sendTo(int otherPort, String method, String path, String json, String idempotencyKey) {
        int own = port;
        try {
            port = otherPort;
            if (json == null) {
                return send(method, path, null, "Authorization", bearer(SECRET_KEY));
            }
            return send(method, path, json, "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json",
                    "Idempotency-Key", idempotencyKey);
        } finally {
            port = own;
        }
    }
}
