package io.paymentintents.command.upcasting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.Charge;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.command.EventSerialization;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.eventsourcing.EventStreamUtils;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static io.paymentintents.api.PaymentIntentStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Stored events of revision 1, read through the upcaster chain the service uses, come out as revision-2 events. The
 * fixtures under {@code events/revision-1/} are rows of {@code domain_event_entry} as the build before revision 2
 * wrote them (payload and metadata are the stored JSON).
 */
class PaymentIntentCapturedUpcasterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final JacksonSerializer serializer = EventSerialization.serializer();

    @Test
    void aStoredPartialCaptureReadsWithTheCapturedAndReleasedAmountsAndTheirCurrency() throws IOException {
        DomainEventMessage<?> event = read("PaymentIntentCaptured-partial.json");

        assertThat(event.getPayload()).isEqualTo(new PaymentIntentCaptured("pi_0D40jkSePzuFSq6es1dKbBEw", 4000, 1000,
                "eur", new Charge("ch_hWHrerh83h5RxJPMoWAAFj4w", 5000, 4000, 1000, "eur", true, "succeeded",
                "pm_card_visa", "card", null, null, null, "authorized", "Payment complete.",
                Instant.parse("2026-11-22T08:31:55.354497019Z")),
                SUCCEEDED, Instant.parse("2026-11-22T08:31:55.401835143Z")));
        // the message around the payload is the stored one
        assertThat(event.getIdentifier()).isEqualTo("f2eade9c-647e-4c74-854d-d1e0cc803c9d");
        assertThat(event.getSequenceNumber()).isEqualTo(2);
        assertThat(event.getTimestamp()).isEqualTo(Instant.parse("2026-11-22T08:31:55.401Z"));
        assertThat(event.getMetaData()).containsEntry("requestId", "req_hBiSDbtBBBRo3N");
    }

    @Test
    void aStoredFullCaptureReleasesNothing() throws IOException {
        PaymentIntentCaptured captured = (PaymentIntentCaptured) read("PaymentIntentCaptured-full.json").getPayload();

        assertThat(captured.amountCaptured()).isEqualTo(2500);
        assertThat(captured.amountReleased()).isZero();
        assertThat(captured.currency()).isEqualTo("usd");
        assertThat(captured.charge().amountCaptured()).isEqualTo(2500);
    }

    @Test
    void theUpcastJsonIsWhatTheAggregateWritesForTheSameCaptureToday() throws IOException {
        JsonNode stored = fixture("PaymentIntentCaptured-partial.json").get("payload");
        PaymentIntentCaptured today = (PaymentIntentCaptured) read("PaymentIntentCaptured-partial.json").getPayload();

        JsonNode written = JSON.readTree(serializer.serialize(today, byte[].class).getData());

        assertThat(PaymentIntentCapturedUpcaster.toRevision2(stored)).isEqualTo(written);
    }

    @Test
    void aRevision2EventAndOtherEventsPassUnchanged() throws IOException {
        PaymentIntentCaptured current = (PaymentIntentCaptured) read("PaymentIntentCaptured-partial.json").getPayload();
        SerializedObject<byte[]> written = serializer.serialize(current, byte[].class);
        assertThat(written.getType().getRevision()).isEqualTo("2");
        GenericDomainEventEntry<byte[]> revision2 = new GenericDomainEventEntry<>("PaymentIntent",
                current.paymentIntentId(), 3, "e0c1a3d0-0000-4000-8000-000000000002", current.occurredAt(),
                written.getType().getName(), "2", written.getData(), "{}".getBytes());

        assertThat(upcast(revision2).getPayload()).isEqualTo(current);
        assertThat(read("PaymentIntentAmountCapturableUpdated.json").getPayload())
                .isInstanceOf(PaymentIntentAmountCapturableUpdated.class)
                .extracting("amountCapturable").isEqualTo(5000L);
    }

    @Test
    void aRevision1EventWithoutItsChargeIsRefusedRatherThanGivenInventedAmounts() throws IOException {
        JsonNode stored = fixture("PaymentIntentCaptured-partial.json").get("payload");
        ((com.fasterxml.jackson.databind.node.ObjectNode) stored).remove("charge");

        assertThatThrownBy(() -> PaymentIntentCapturedUpcaster.toRevision2(stored))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without amountReceived or its charge");
    }

    @Test
    void theServiceAndTheOperatorCommandUseTheSameUpcasters() {
        assertThat(EventSerialization.upcasters()).hasSize(1)
                .allMatch(upcaster -> upcaster instanceof PaymentIntentCapturedUpcaster);
    }

    private DomainEventMessage<?> read(String fixture) throws IOException {
        JsonNode row = fixture(fixture);
        return upcast(new GenericDomainEventEntry<>(row.get("type").asText(), row.get("aggregateIdentifier").asText(),
                row.get("sequenceNumber").asLong(), row.get("eventIdentifier").asText(),
                row.get("timeStamp").asText(), row.get("payloadType").asText(), row.get("payloadRevision").asText(),
                JSON.writeValueAsBytes(row.get("payload")), JSON.writeValueAsBytes(row.get("metaData"))));
    }

    private DomainEventMessage<?> upcast(GenericDomainEventEntry<byte[]> stored) {
        List<? extends DomainEventMessage<?>> events = EventStreamUtils.asStream(
                EventStreamUtils.upcastAndDeserializeDomainEvents(Stream.of(stored), serializer,
                        EventSerialization.upcasterChain())).toList();
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private static JsonNode fixture(String name) throws IOException {
        try (InputStream in = PaymentIntentCapturedUpcasterTest.class.getResourceAsStream("/events/revision-1/" + name)) {
            assertThat(in).as(name).isNotNull();
            return JSON.readTree(in);
        }
    }
}
