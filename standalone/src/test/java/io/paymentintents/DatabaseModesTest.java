package io.paymentintents;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two ways the standalone service finds its database: the embedded PostgreSQL (data kept in the data directory
 * across restarts) and a server named by SPRING_DATASOURCE_URL. Each starts the application itself, as a user would.
 */
class DatabaseModesTest extends ServiceTest {

    @Autowired
    private EmbeddedPostgres sharedPostgres;

    @Autowired
    private EventStorageEngine storageEngine;

    @Test
    void theEventStoreIsAxonsJdbcEngineOnPostgres() {
        assertThat(storageEngine).isInstanceOf(JdbcEventStorageEngine.class);
    }

    @Test
    void anExternalDatabaseNamedBySpringDatasourceUrlHoldsTheEventsAndReadModel() throws Exception {
        jdbc.execute("CREATE DATABASE external_mode");
        String url = sharedPostgres.getJdbcUrl("postgres", "external_mode");
        try (ConfigurableApplicationContext app = start(Map.of("spring.datasource.url", url,
                "spring.datasource.username", "postgres", "payments.data-dir",
                Files.createTempDirectory("external").toString()))) {
            assertThat(app.getBeanNamesForType(EmbeddedPostgres.class)).isEmpty();
            assertThat(app.getBean(EventStorageEngine.class)).isInstanceOf(JdbcEventStorageEngine.class);
            int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));

            Reply created = sendTo(port, "POST", "/v1/payment_intents", "{\"amount\": 700, \"currency\": \"gbp\"}");

            assertThat(created.status()).isEqualTo(200);
            var external = new org.springframework.jdbc.core.JdbcTemplate(
                    new org.springframework.jdbc.datasource.SingleConnectionDataSource(url, "postgres", "", true));
            assertThat(external.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class)).isEqualTo(1);
            assertThat(external.queryForObject("SELECT status FROM payment_intents WHERE id = ?", String.class,
                    created.body().get("id").asText())).isEqualTo("requires_payment_method");
        }
    }

    @Test
    void theEmbeddedDatabaseKeepsPaymentsAndKeysAcrossARestart() throws Exception {
        Path dataDirectory = Files.createTempDirectory("restart");
        Map<String, String> properties = Map.of("payments.data-dir", dataDirectory.toString());
        String id;
        try (ConfigurableApplicationContext first = start(properties)) {
            int port = Integer.parseInt(first.getEnvironment().getProperty("local.server.port"));
            Reply created = sendTo(port, "POST", "/v1/payment_intents", "{\"amount\": 900, \"currency\": \"usd\"}");
            assertThat(created.status()).isEqualTo(200);
            id = created.body().get("id").asText();
        }
        assertThat(dataDirectory.resolve("postgres/PG_VERSION")).exists();

        try (ConfigurableApplicationContext second = start(properties)) {
            int port = Integer.parseInt(second.getEnvironment().getProperty("local.server.port"));
            Reply retrieved = sendTo(port, "GET", "/v1/payment_intents/" + id, null);
            assertThat(retrieved.status()).isEqualTo(200);
            assertThat(retrieved.body().get("amount").asLong()).isEqualTo(900);
        }
    }

    @Test
    void aSecretKeyThatIsNotTestModeStopsTheStart() {
        assertThatThrownBy(() -> start(Map.of("spring.datasource.url",
                sharedPostgres.getJdbcUrl("postgres", "postgres"), "spring.datasource.username", "postgres",
                "payments.keys.secret", "sk_live_abc123")).close())
                .hasStackTraceContaining("PAYMENTS_SECRET_KEY must be a test-mode secret key");
    }

    private ConfigurableApplicationContext start(Map<String, String> properties) {
        Map<String, Object> all = new java.util.HashMap<>(properties);
        all.put("server.port", "0");
        all.putIfAbsent("payments.keys.secret", SECRET_KEY);
        all.computeIfAbsent("payments.data-dir", k -> temporaryDataDirectory());
        SpringApplication application = new SpringApplication(PaymentIntentsApplication.class);
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return application.run(args);
    }

    private static String temporaryDataDirectory() {
        try {
            return Files.createTempDirectory("modes").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Reply sendTo(int otherPort, String method, String path, String json) {
        int own = port;
        try {
            port = otherPort;
            return json == null ? send(method, path, null, "Authorization", bearer(SECRET_KEY))
                    : send(method, path, json, "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json");
        } finally {
            port = own;
        }
    }
}
