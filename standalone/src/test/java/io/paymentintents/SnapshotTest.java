package io.paymentintents;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.common.caching.Cache;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An intent with a long history is loaded from a snapshot (taken every {@code payments.snapshot-threshold} events,
 * 50 by default). The snapshot must carry the whole state: the status machine and the money rules must behave
 * exactly as they would replaying every event.
 */
class SnapshotTest extends ServiceTest {

    @Autowired
    private EmbeddedPostgres sharedPostgres;

    /** Emptied before the checks, so that the intent is loaded from the store, not served from memory. */
    @Autowired
    private Cache paymentIntentCache;

    @Test
    void aSmallSnapshotThresholdTakesSnapshotsOftenAndTheIntentLoadsFromThem() throws Exception {
        jdbc.execute("CREATE DATABASE snapshot_threshold");
        String url = sharedPostgres.getJdbcUrl("postgres", "snapshot_threshold");
        var other = new org.springframework.jdbc.core.JdbcTemplate(
                new org.springframework.jdbc.datasource.SingleConnectionDataSource(url, "postgres", "", true));
        int ownPort = port;
        try (ConfigurableApplicationContext app = new SpringApplication(PaymentIntentsApplication.class).run(
                "--server.port=0", "--spring.datasource.url=" + url, "--spring.datasource.username=postgres",
                "--payments.data-dir=" + Files.createTempDirectory("snapshots"), "--payments.keys.secret=" + SECRET_KEY,
                "--payments.snapshot-threshold=3",
                // every command loads the intent from the store (its snapshot), not from memory
                "--payments.aggregate-cache.enabled=false")) {
            port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
            String id = createIntent("{\"amount\": 5000, \"currency\": \"eur\", \"capture_method\": \"manual\", "
                    + "\"metadata\": {\"keep\": \"me\"}}");
            for (int i = 0; i < 7; i++) {
                assertThat(postJson("/v1/payment_intents/" + id, "{\"description\": \"edit " + i + "\"}").status())
                        .isEqualTo(200);
            }
            List<Long> snapshots = other.queryForList("SELECT sequence_number FROM snapshot_event_entry "
                    + "WHERE aggregate_identifier = ?", Long.class, id);
            // 8 events: snapshots after every 3 loaded or applied; Axon keeps the latest only
            assertThat(snapshots).hasSize(1).allMatch(sequence -> sequence >= 5);

            Reply confirmed = postJson("/v1/payment_intents/" + id + "/confirm", "{\"payment_method\": \"pm_card_visa\"}");
            Reply captured = postJson("/v1/payment_intents/" + id + "/capture", "{\"amount_to_capture\": 4500}");

            assertThat(confirmed.body().get("status").asText()).isEqualTo("requires_capture");
            assertThat(captured.status()).isEqualTo(200);
            assertThat(captured.body().get("amount_received").asLong()).isEqualTo(4500);
            assertThat(captured.body().get("description").asText()).isEqualTo("edit 6");
            assertThat(captured.body().get("metadata").toString()).isEqualTo("{\"keep\":\"me\"}");
            assertThat(other.queryForObject("SELECT max(sequence_number) FROM snapshot_event_entry "
                    + "WHERE aggregate_identifier = ?", Long.class, id)).isGreaterThan(snapshots.get(0));
        } finally {
            port = ownPort;
        }
    }

    @Test
    void anIntentLoadedFromItsSnapshotBehavesAsIfEveryEventWereReplayed() {
        String id = createIntent("{\"amount\": 5000, \"currency\": \"eur\", \"capture_method\": \"manual\", "
                + "\"customer\": \"cus_snap\", \"metadata\": {\"keep\": \"me\"}}");
        for (int i = 0; i < 60; i++) {
            Reply updated = postJson("/v1/payment_intents/" + id, "{\"metadata\": {\"n\": \"" + i + "\"}}");
            assertThat(updated.status()).isEqualTo(200);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM snapshot_event_entry WHERE aggregate_identifier = ?",
                Long.class, id)).as("a snapshot was taken").isPositive();
        String snapshot = jdbc.queryForObject("SELECT convert_from(payload, 'UTF8') FROM snapshot_event_entry "
                + "WHERE aggregate_identifier = ? ORDER BY sequence_number DESC LIMIT 1", String.class, id);
        assertThat(snapshot).contains("\"accountId\"").contains("cus_snap").contains("requires_payment_method");

        // rules that depend on state restored from the snapshot
        paymentIntentCache.removeAll();
        Reply tooMuch = postJson("/v1/payment_intents/" + id, "{\"payment_method\": \"pm_card_visa\"}");
        assertThat(tooMuch.status()).isEqualTo(200);
        assertThat(tooMuch.body().get("status").asText()).isEqualTo("requires_confirmation");
        Reply confirmed = postJson("/v1/payment_intents/" + id + "/confirm", "{}");
        assertThat(confirmed.body().get("status").asText()).isEqualTo("requires_capture");
        Reply overCapture = postJson("/v1/payment_intents/" + id + "/capture", "{\"amount_to_capture\": 5001}");
        assertThat(overCapture.status()).isEqualTo(400);
        assertThat(overCapture.error().get("code").asText()).isEqualTo("amount_too_large");
        Reply captured = postJson("/v1/payment_intents/" + id + "/capture", "{\"amount_to_capture\": 4000}");
        assertThat(captured.body().get("amount_received").asLong()).isEqualTo(4000);
        assertThat(captured.body().get("metadata").toString()).isEqualTo("{\"keep\":\"me\",\"n\":\"59\"}");
        Reply otherAccount = send("POST", "/v1/payment_intents/" + id + "/cancel", "{}", "Authorization",
                bearer(SECRET_KEY), "Content-Type", "application/json");
        assertThat(otherAccount.status()).isEqualTo(400); // succeeded cannot be canceled: status came back right
    }

    @Test
    void aSnapshotOfAnotherRevisionIsIgnoredAndTheIntentRebuiltFromItsEvents() {
        String id = createIntent("{\"amount\": 5000, \"currency\": \"eur\"}");
        for (int i = 0; i < 55; i++) {
            postJson("/v1/payment_intents/" + id, "{\"metadata\": {\"n\": \"" + i + "\"}}");
        }
        // as if written by an older version of the aggregate, in a shape this one cannot read
        int changed = jdbc.update("UPDATE snapshot_event_entry SET payload_revision = '0', payload = convert_to('{}', "
                + "'UTF8') WHERE aggregate_identifier = ?", id);
        assertThat(changed).isPositive();
        paymentIntentCache.removeAll();

        Reply confirmed = postJson("/v1/payment_intents/" + id + "/confirm", "{\"payment_method\": \"pm_card_visa\"}");

        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(confirmed.body().get("amount_received").asLong()).isEqualTo(5000);
    }
}
