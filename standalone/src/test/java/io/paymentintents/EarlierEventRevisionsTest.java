package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import io.paymentintents.command.EventSerialization;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import org.axonframework.serialization.upcasting.event.InitialEventRepresentation;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Events are forever: a manually captured intent whose {@code PaymentIntentCaptured} is of revision 1, stored exactly
 * as the build before revision 2 stored it, is read through the upcaster by the aggregate, by the live projection
 * and by a rebuild, and the stored rows stay as they were.
 */
class EarlierEventRevisionsTest extends ServiceTest {

    @Autowired
    private EmbeddedPostgres sharedPostgres;

    @Autowired
    private List<EventUpcaster> upcasters;

    @Autowired
    private org.axonframework.config.Configuration axonConfiguration;

    @Test
    void aRevision1CaptureIsReadByTheAggregateTheProjectionAndARebuildAndStaysStoredAsItWas() throws Exception {
        JsonNode rows = fixture();
        String id = rows.get(0).get("aggregateIdentifier").asText();
        for (JsonNode row : rows) {
            jdbc.update("""
                            INSERT INTO domain_event_entry (aggregate_identifier, sequence_number, type, event_identifier,
                                meta_data, payload, payload_revision, payload_type, time_stamp)
                            VALUES (?, ?, ?, ?, convert_to(?, 'UTF8'), convert_to(?, 'UTF8'), ?, ?, ?)""",
                    id, row.get("sequenceNumber").asLong(), row.get("type").asText(),
                    row.get("eventIdentifier").asText(), JSON.writeValueAsString(row.get("metaData")),
                    JSON.writeValueAsString(row.get("payload")), row.get("payloadRevision").asText(),
                    row.get("payloadType").asText(), row.get("timeStamp").asText());
        }
        String stored = storedCapture(id);
        assertThat(stored).startsWith("1 {\"paymentIntentId\":\"" + id + "\",\"amountReceived\":4000,");

        // the live projection
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/v1/payment_intents/" + id).status() == 200);
        JsonNode projected = get("/v1/payment_intents/" + id + "?expand%5B%5D=latest_charge").body();
        assertThat(projected.get("status").asText()).isEqualTo("succeeded");
        assertThat(projected.get("amount_received").asLong()).isEqualTo(4000);
        assertThat(projected.get("amount_capturable").asLong()).isZero();
        assertThat(projected.get("latest_charge").get("amount_captured").asLong()).isEqualTo(4000);
        assertThat(projected.get("latest_charge").get("amount_refunded").asLong()).isEqualTo(1000);

        // the aggregate: all three events loaded, the next one is the fourth
        Reply updated = postJson("/v1/payment_intents/" + id, "{\"metadata\": {\"read\": \"after upcasting\"}}");
        assertThat(updated.status()).as(updated.raw().body()).isEqualTo(200);
        assertThat(updated.body().get("amount_received").asLong()).isEqualTo(4000);
        assertThat(jdbc.queryForObject("SELECT max(sequence_number) FROM domain_event_entry "
                + "WHERE aggregate_identifier = ?", Long.class, id)).isEqualTo(3);
        Reply cancel = postJson("/v1/payment_intents/" + id + "/cancel", "{}");
        assertThat(cancel.status()).isEqualTo(400);
        assertThat(cancel.error().get("code").asText()).isEqualTo("payment_intent_unexpected_state");

        // a rebuild replays it from the event store into new tables
        Admin.Run rebuild = Admin.run(sharedPostgres, "read-model", "rebuild");
        assertThat(rebuild.status()).as(rebuild.toString()).isZero();
        JsonNode rebuilt = get("/v1/payment_intents/" + id).body();
        assertThat(rebuilt).isEqualTo(updated.body());
        Admin.Run verify = Admin.run(sharedPostgres, "read-model", "verify");
        assertThat(verify.status()).as(verify.toString()).isZero();

        // upcasting changes what is read, never what is stored
        assertThat(storedCapture(id)).isEqualTo(stored);
    }

    @Test
    void axonsUpcasterChainHoldsEveryUpcasterTheOperatorCommandReadsWith() throws Exception {
        assertThat(upcasters).extracting(Object::getClass).containsExactlyInAnyOrderElementsOf(
                EventSerialization.upcasters().stream().map(Object::getClass).toList());
        JsonNode row = fixture().get(2);
        GenericDomainEventEntry<byte[]> stored = new GenericDomainEventEntry<>(row.get("type").asText(),
                row.get("aggregateIdentifier").asText(), row.get("sequenceNumber").asLong(),
                row.get("eventIdentifier").asText(), row.get("timeStamp").asText(), row.get("payloadType").asText(),
                row.get("payloadRevision").asText(), JSON.writeValueAsBytes(row.get("payload")),
                JSON.writeValueAsBytes(row.get("metaData")));

        // the chain the event store reads with (JdbcAutoConfiguration takes it from Axon's configuration)
        List<IntermediateEventRepresentation> read = axonConfiguration.upcasterChain()
                .upcast(Stream.of(new InitialEventRepresentation(stored, axonConfiguration.eventSerializer())))
                .toList();

        assertThat(read).singleElement().extracting(event -> event.getType().getRevision()).isEqualTo("2");
    }

    private static JsonNode fixture() throws java.io.IOException {
        try (InputStream in = EarlierEventRevisionsTest.class.getResourceAsStream(
                "/events/revision-1/manually-captured-intent.json")) {
            return JSON.readTree(in);
        }
    }

    private String storedCapture(String id) {
        return jdbc.queryForObject("SELECT payload_revision || ' ' || convert_from(payload, 'UTF8') "
                + "FROM domain_event_entry WHERE aggregate_identifier = ? AND sequence_number = 2", String.class, id);
    }
}
