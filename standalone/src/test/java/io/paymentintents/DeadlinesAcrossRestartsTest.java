package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timers survive the process. The service runs as a real process with short settlement and expiry periods. With a
 * bank debit pending, a second one already settled by the test helper and a hold waiting for capture, it is killed
 * (no shutdown at all), left down until the hold has expired, and started again on the same data directory. Each
 * deadline, stored in PostgreSQL with the events that scheduled it, fires after the restart, and fires once: the
 * event store holds exactly one outcome per intent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadlinesAcrossRestartsTest {

    private static final String KEY = "sk_test_deadlinesdeadlines12";

    private final List<ServiceProcess> processes = new ArrayList<>();
    private Path dataDirectory;
    private int postgresPort;
    private ServiceProcess restarted;
    private JsonNode pendingDebit;
    private String settledDebit;
    private String hold;

    @BeforeAll
    void killTheServiceWithTimersPendingAndStartItAgain() throws Exception {
        dataDirectory = Files.createTempDirectory("deadlines");
        postgresPort = ServiceProcess.freePort();
        ServiceProcess first = start();
        pendingDebit = first.post("/v1/payment_intents", "{\"amount\": 5100, \"currency\": \"eur\", "
                + "\"payment_method_types\": [\"direct_debit\"], \"payment_method\": \"pm_direct_debit\", "
                + "\"confirm\": true}", "restart-debit");
        assertThat(pendingDebit.get("status").asText()).isEqualTo("processing");

        settledDebit = first.post("/v1/payment_intents", "{\"amount\": 5300, \"currency\": \"eur\", "
                + "\"payment_method_types\": [\"direct_debit\"], \"payment_method\": \"pm_direct_debit\", "
                + "\"confirm\": true}", null).get("id").asText();
        JsonNode failed = first.post("/v1/test_helpers/payment_intents/" + settledDebit + "/settle",
                "{\"outcome\": \"failure\"}", null);
        assertThat(failed.get("status").asText()).isEqualTo("failed");

        JsonNode held = first.post("/v1/payment_intents", "{\"amount\": 5200, \"currency\": \"usd\", "
                + "\"capture_method\": \"manual\", \"payment_method\": \"pm_card_visa\", \"confirm\": true}", null);
        assertThat(held.get("status").asText()).isEqualTo("requires_capture");
        hold = held.get("id").asText();
        assertThat(scheduledDeadlines()).as("each timer is stored with the events that set it").isEqualTo(3);

        first.kill();
        Thread.sleep(3_500); // every 3 s period ends while no process runs
        restarted = start();
        awaitNoScheduledDeadlines();
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (ServiceProcess process : processes) {
            process.close();
        }
    }

    @Test
    void aBankDebitPendingWhenTheServiceDiedSettlesOnceAfterTheRestart() throws Exception {
        String id = pendingDebit.get("id").asText();
        JsonNode settled = awaitStatus(restarted, id, "succeeded");
        assertThat(settled.get("amount_received").asLong()).isEqualTo(5100);
        assertThat(settled.at("/charges/data").size()).as("one charge").isEqualTo(1);
        assertThat(settled.at("/charges/data/0/status").asText()).isEqualTo("succeeded");
        assertThat(settled.get("latest_charge").asText()).isEqualTo(pendingDebit.get("latest_charge").asText());
        assertThat(events(id)).containsExactly("PaymentIntentCreated", "PaymentIntentProcessing",
                "PaymentIntentSucceeded");
    }

    @Test
    void aHoldThatExpiredWhileTheServiceWasDownIsReleasedAfterTheRestart() throws Exception {
        JsonNode canceled = awaitStatus(restarted, hold, "canceled");
        assertThat(canceled.get("cancellation_reason").asText()).isEqualTo("automatic");
        assertThat(canceled.get("amount_capturable").asLong()).isZero();
        assertThat(canceled.at("/charges/data/0/amount_captured").asLong()).isZero();
        assertThat(canceled.at("/charges/data/0/amount_refunded").asLong()).as("the hold is released")
                                                                      .isEqualTo(5200);
        assertThat(events(hold)).containsExactly("PaymentIntentCreated", "PaymentIntentAmountCapturableUpdated",
                "PaymentIntentCanceled");
    }

    @Test
    void aDebitSettledByTheTestHelperBeforeTheRestartIsNotSettledAgainByItsDeadline() throws Exception {
        assertThat(restarted.get("/v1/payment_intents/" + settledDebit).get("status").asText()).isEqualTo("failed");
        assertThat(events(settledDebit)).containsExactly("PaymentIntentCreated", "PaymentIntentProcessing",
                "PaymentIntentPaymentFailed");
    }

    @Test
    void eventsCausedByATimerNameTheIntentsAccountAndNoRequest() throws Exception {
        String id = pendingDebit.get("id").asText();
        awaitStatus(restarted, id, "succeeded");
        JsonNode created = ServiceTest.JSON.readTree(metadata(id, 0));
        JsonNode settled = ServiceTest.JSON.readTree(metadata(id, 2));
        assertThat(created.get("requestId").asText()).startsWith("req_");
        assertThat(settled.get("accountId").asText()).isEqualTo(created.get("accountId").asText());
        assertThat(settled.has("requestId")).as("no request caused it").isFalse();
        assertThat(settled.has("keyId")).isFalse();
    }

    @Test
    void noTimerIsLeftToFireTwice() throws Exception {
        assertThat(scheduledDeadlines()).isZero();
    }

    private ServiceProcess start() throws Exception {
        ServiceProcess service = ServiceProcess.start(dataDirectory, KEY, List.of(
                "--payments.embedded-postgres.port=" + postgresPort,
                "--payments.settlement-delay=3s",
                "--payments.capture-expiry=3s",
                "--payments.deadlines.polling-interval=200ms"));
        processes.add(service);
        return service;
    }

    private static JsonNode awaitStatus(ServiceProcess service, String id, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode intent = service.get("/v1/payment_intents/" + id);
        while (!intent.get("status").asText().equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            intent = service.get("/v1/payment_intents/" + id);
        }
        assertThat(intent.get("status").asText()).as("status of %s", id).isEqualTo(status);
        return intent;
    }

    private void awaitNoScheduledDeadlines() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (scheduledDeadlines() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(scheduledDeadlines()).isZero();
    }

    /** The payload types of an intent's events, in order, straight from the event store. */
    private List<String> events(String id) throws Exception {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(
                "SELECT payload_type FROM domain_event_entry WHERE aggregate_identifier = ? "
                        + "ORDER BY sequence_number")) {
            statement.setString(1, id);
            List<String> types = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String type = rows.getString(1);
                    types.add(type.substring(type.lastIndexOf('.') + 1));
                }
            }
            return types;
        }
    }

    /** The audit metadata stored with event {@code sequence} of an intent, as JSON. */
    private String metadata(String id, long sequence) throws Exception {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(
                "SELECT convert_from(meta_data, 'UTF8') FROM domain_event_entry "
                        + "WHERE aggregate_identifier = ? AND sequence_number = ?")) {
            statement.setString(1, id);
            statement.setLong(2, sequence);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        }
    }

    private long scheduledDeadlines() throws Exception {
        try (Connection connection = connect(); ResultSet rows = connection.createStatement()
                .executeQuery("SELECT count(*) FROM scheduled_tasks")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + postgresPort + "/postgres", "postgres",
                "");
    }
}
