package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every event processor in {@code token_entry}, whichever the service has (the projection's, a rebuild's, the events
 * API's, webhooks'), shown with its position and lag by {@code admin processors list} and as gauges at
 * {@code /actuator/metrics}. Other processors are simulated by token rows like the ones Axon writes.
 */
class EventProcessorsTest extends ServiceTest {

    private static final String OTHER = "stripe-events-simulated";

    @Autowired
    private EmbeddedPostgres sharedPostgres;

    @AfterEach
    void removeSimulatedProcessors() {
        jdbc.update("DELETE FROM token_entry WHERE processor_name = ?", OTHER);
    }

    @Test
    void processorsListShowsEachProcessorsPositionAndLagBehindTheEventStore() {
        createIntent("{\"amount\": 1500, \"currency\": \"eur\"}");
        long head = head();
        simulateProcessorAt(OTHER, head - 3);

        // the live projection has caught up with everything stored so far
        await().atMost(Duration.ofSeconds(10)).until(() -> row(list(), "payment-intents")[4].equals("0"));
        Admin.Run list = Admin.run(sharedPostgres, "processors", "list");

        assertThat(list.status()).as(list.toString()).isZero();
        assertThat(list.out().lines().findFirst().orElseThrow().split("\\s+")).containsExactly("PROCESSOR",
                "SEGMENT", "POSITION", "HEAD", "LAG", "OLDEST", "UNPROCESSED", "OWNER");
        String[] live = row(list.out(), "payment-intents");
        assertThat(live[1]).isEqualTo("0");
        assertThat(live[2]).isEqualTo(live[3]);
        assertThat(Long.parseLong(live[3])).isGreaterThanOrEqualTo(head);
        assertThat(live[5]).isEqualTo("-");
        assertThat(live[6]).as("the node holding the segment").contains("@");
        String[] other = row(list.out(), OTHER);
        assertThat(Long.parseLong(other[2])).isEqualTo(head - 3);
        assertThat(Long.parseLong(other[4])).isEqualTo(Long.parseLong(other[3]) - (head - 3))
                .isGreaterThanOrEqualTo(3);
        assertThat(other[5] + " " + other[6] + " " + other[7]).matches("[0-9.]+ (s|min) .*ago");
        assertThat(other[other.length - 1]).isEqualTo("-");
    }

    @Test
    void positionAndLagGaugesExistForEveryProcessorAndSegmentAndMove() {
        double before = await().atMost(Duration.ofSeconds(10))
                .until(() -> gauge("payments.processor.position", "payment-intents"), Optional::isPresent)
                .orElseThrow();
        assertThat(metricNames()).contains("payments.processor.position", "payments.processor.lag",
                "payments.processor.oldest.unprocessed.age");

        createIntent("{\"amount\": 1600, \"currency\": \"eur\"}");
        createIntent("{\"amount\": 1700, \"currency\": \"eur\"}");

        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("payments.processor.position", "payment-intents")
                .orElseThrow() >= before + 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("payments.processor.lag", "payment-intents")
                .orElseThrow() == 0);

        simulateProcessorAt(OTHER, head() - 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("payments.processor.lag", OTHER)
                .filter(lag -> lag >= 2).isPresent());
        assertThat(gauge("payments.processor.oldest.unprocessed.age", OTHER).orElseThrow()).isGreaterThan(0);

        jdbc.update("DELETE FROM token_entry WHERE processor_name = ?", OTHER);
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("payments.processor.lag", OTHER).isEmpty());
    }

    private long head() {
        return jdbc.queryForObject("SELECT max(global_index) FROM domain_event_entry", Long.class);
    }

    /** A token row as Axon's JDBC token store writes one for a tracking processor at {@code position}. */
    private void simulateProcessorAt(String processor, long position) {
        jdbc.update("INSERT INTO token_entry (processor_name, segment, token, token_type, time_stamp) "
                        + "VALUES (?, 0, convert_to(?, 'UTF8'), 'org.axonframework.eventhandling.GapAwareTrackingToken', ?)",
                processor, "{\"index\":" + position + ",\"gaps\":[]}", Instant.now().toString());
    }

    private String list() {
        return Admin.run(sharedPostgres, "processors", "list").out();
    }

    private static String[] row(String list, String processor) {
        return list.lines().filter(line -> line.startsWith(processor + " ")).findFirst()
                   .map(line -> line.trim().split("\\s+"))
                   .orElseThrow(() -> new AssertionError("no line for " + processor + " in\n" + list));
    }

    private List<String> metricNames() {
        JsonNode names = send("GET", "/actuator/metrics", null).body().get("names");
        return StreamSupport.stream(names.spliterator(), false).map(JsonNode::asText).toList();
    }

    /** The gauge's value for segment 0 of {@code processor}, if the service has that gauge. */
    private Optional<Double> gauge(String name, String processor) {
        Reply reply = send("GET", "/actuator/metrics/" + name + "?tag=processor:" + processor + "&tag=segment:0",
                null);
        if (reply.status() == 404) {
            return Optional.empty();
        }
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        return Optional.of(reply.body().get("measurements").get(0).get("value").asDouble());
    }
}
