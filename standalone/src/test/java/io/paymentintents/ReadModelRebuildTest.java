package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code admin read-model rebuild} against the running service: the read model is rebuilt from the first event into
 * new tables and switched to in one transaction, while clients keep creating, updating, confirming and capturing.
 * No request fails, no read shows an older state than the write before it answered, and afterwards
 * {@code admin read-model verify} finds the read model equal to a fold of the events.
 */
class ReadModelRebuildTest extends ServiceTest {

    private static final int CLIENTS = 4;

    @Autowired
    private EmbeddedPostgres sharedPostgres;

    @Test
    void aRebuildUnderConcurrentTrafficSwitchesWithoutAFailedRequestOrAStaleRead() throws Exception {
        long tableBefore = oidOf("payment_intents");
        List<String> indexesBefore = indexDefinitions();
        List<String> constraintsBefore = constraints();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong rebuildStarted = new AtomicLong(Long.MAX_VALUE);
        AtomicLong rebuildEnded = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger requestsDuringRebuild = new AtomicInteger();
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread thread = new Thread(() -> {
                for (int n = 0; !stop.get(); n++) {
                    try {
                        journey(client, n, problems, () -> {
                            requests.incrementAndGet();
                            long now = System.nanoTime();
                            if (now >= rebuildStarted.get() && now <= rebuildEnded.get()) {
                                requestsDuringRebuild.incrementAndGet();
                            }
                        });
                    } catch (RuntimeException e) {
                        problems.add("client " + client + ": " + e);
                    }
                }
            }, "client-" + c);
            thread.start();
            clients.add(thread);
        }
        try {
            Thread.sleep(3000); // history for the rebuild to replay, from this test and any before it

            rebuildStarted.set(System.nanoTime());
            Admin.Run rebuild = Admin.run(sharedPostgres, "read-model", "rebuild");
            rebuildEnded.set(System.nanoTime());

            assertThat(rebuild.status()).as(rebuild.toString()).isZero();
            assertThat(rebuild.out()).startsWith("Rebuilt payment-intents (request ").contains("paused for");
            Thread.sleep(1000); // clients go on writing after the switch

            // verify while the clients still write: intents in flight are compared again, not reported
            Admin.Run verify = Admin.run(sharedPostgres, "read-model", "verify");
            assertThat(verify.status()).as(verify.toString()).isZero();
            assertThat(verify.out()).contains("no differences.");
        } finally {
            stop.set(true);
            for (Thread client : clients) {
                client.join(60_000);
            }
        }

        assertThat(problems).as("failed requests and stale reads").isEmpty();
        assertThat(requests.get()).isGreaterThan(50);
        assertThat(requestsDuringRebuild.get()).as("requests while the rebuild ran").isPositive();
        // the tables are new ones, shaped and named as the migrations made the old ones
        assertThat(oidOf("payment_intents")).isNotEqualTo(tableBefore);
        assertThat(indexDefinitions()).isEqualTo(indexesBefore);
        assertThat(constraints()).isEqualTo(constraintsBefore).contains("payment_intents_pkey p");
        assertThat(jdbc.queryForList("SELECT relname FROM pg_class WHERE relname LIKE 'payment\\_intent%' "
                + "AND (relname LIKE '%\\_rebuild%' OR relname LIKE '%\\_replaced%')", String.class)).isEmpty();
        assertThat(jdbc.queryForList("SELECT processor_name FROM token_entry", String.class))
                .doesNotContain("payment-intents-rebuild");
        Map<String, Object> request = jdbc.queryForMap(
                "SELECT * FROM read_model_rebuilds ORDER BY id DESC LIMIT 1");
        assertThat(request.get("state")).isEqualTo("done");
        assertThat((Long) request.get("pause_millis")).isBetween(0L, 5000L);
        // and the live projection carries on in the new tables
        String after = createIntent("{\"amount\": 4321, \"currency\": \"usd\"}");
        assertThat(get("/v1/payment_intents/" + after).body().get("amount").asLong()).isEqualTo(4321);
        assertThat(Admin.run(sharedPostgres, "read-model", "status").out()).contains("done");
    }

    @Test
    void aSecondRebuildIsRefusedWhileOneIsUnderWay() {
        long running = jdbc.queryForObject("INSERT INTO read_model_rebuilds (projection, state, node, heartbeat_at) "
                + "VALUES ('payment-intents', 'rebuilding', 'another-node', now()) RETURNING id", Long.class);
        try {
            Admin.Run second = Admin.run(sharedPostgres, "read-model", "rebuild");

            assertThat(second.status()).isEqualTo(1);
            assertThat(second.err()).contains("A rebuild is already under way: request " + running + ", rebuilding");
        } finally {
            jdbc.update("DELETE FROM read_model_rebuilds WHERE id = ?", running);
        }
    }

    @Test
    void withoutARunningServiceTheRebuildIsRefusedAndNothingIsRequested() throws Exception {
        String dataDirectory = Files.createTempDirectory("no-service").toString();

        Admin.Run rebuild = Admin.runWith("read-model", "rebuild", "--payments.data-dir=" + dataDirectory);

        assertThat(rebuild.status()).isEqualTo(1);
        assertThat(rebuild.err()).contains("The service is not running");
    }

    /** One client's intent from creation to its end, every write read back at once. */
    private void journey(int client, int n, Queue<String> problems, Runnable counted) {
        boolean manual = n % 2 == 0;
        String run = "c" + client + "n" + n;
        Reply created = write(problems, counted, "/v1/payment_intents", "{\"amount\": " + (1000 + n)
                + ", \"currency\": \"usd\", \"capture_method\": \"" + (manual ? "manual" : "automatic")
                + "\", \"metadata\": {\"run\": \"" + run + "\"}}");
        if (created == null) {
            return;
        }
        String id = created.body().get("id").asText();
        String path = "/v1/payment_intents/" + id;
        if (write(problems, counted, path, "{\"description\": \"order " + run + "\"}") == null
                || write(problems, counted, path + "/confirm", "{\"payment_method\": \"pm_card_visa\"}") == null) {
            return;
        }
        if (manual) {
            write(problems, counted, path + "/capture", "{\"amount_to_capture\": 900}");
        }
        Reply found = get("/v1/payment_intents/search?query="
                + URLEncoder.encode("metadata['run']:'" + run + "'", StandardCharsets.UTF_8));
        counted.run();
        if (found.status() != 200 || found.body().get("data").size() != 1) {
            problems.add("search for " + id + ": " + found.status() + " " + found.body());
        }
    }

    /** A POST that must answer 200, and a GET right after it that must show exactly what it answered. */
    private Reply write(Queue<String> problems, Runnable counted, String path, String json) {
        Reply written = postJson(path, json);
        counted.run();
        if (written.status() != 200) {
            problems.add("POST " + path + ": " + written.status() + " " + written.body());
            return null;
        }
        JsonNode read = get("/v1/payment_intents/" + written.body().get("id").asText()).body();
        counted.run();
        if (!read.equals(written.body())) {
            problems.add("GET after POST " + path + " shows " + read + " instead of " + written.body());
        }
        return written;
    }

    private long oidOf(String table) {
        return jdbc.queryForObject("SELECT CAST(CAST(? AS regclass) AS oid)", Long.class, table);
    }

    private List<String> constraints() {
        return jdbc.queryForList("SELECT conname || ' ' || CAST(contype AS text) FROM pg_constraint WHERE conrelid IN "
                + "('payment_intents'::regclass, 'payment_intent_charges'::regclass) ORDER BY 1", String.class);
    }

    private List<String> indexDefinitions() {
        return jdbc.queryForList("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                + "AND tablename IN ('payment_intents', 'payment_intent_charges') ORDER BY indexname", String.class);
    }
}
