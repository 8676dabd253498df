package io.paymentintents.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.paymentintents.command.upcasting.PaymentIntentCapturedUpcaster;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;

import java.util.List;

/**
 * How events are stored and read back: the columns of {@code domain_event_entry}, the JSON of payloads and metadata,
 * and the upcasters that turn older revisions into the current ones. The service (through Axon's Spring Boot
 * configuration) and the operator command's {@code read-model verify} (without Spring) both take it from here, so
 * that they read the event store identically.
 */
public final class EventSerialization {

    private EventSerialization() {
    }

    /**
     * Instants as ISO-8601 text, enums by their {@code @JsonValue} wire names, records by their components. Every
     * stored event was written with this configuration: changing it changes how new events look, and old ones must
     * still be read.
     */
    public static ObjectMapper objectMapper() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                                 .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    public static JacksonSerializer serializer() {
        return JacksonSerializer.builder().objectMapper(objectMapper()).build();
    }

    /** Every upcaster, oldest revision first. The service registers each as a Spring bean of type EventUpcaster. */
    public static List<EventUpcaster> upcasters() {
        return List.of(new PaymentIntentCapturedUpcaster());
    }

    public static EventUpcasterChain upcasterChain() {
        return new EventUpcasterChain(upcasters());
    }

    /** snake_case columns, so that the tables read naturally in psql. */
    public static EventSchema eventSchema() {
        return EventSchema.builder()
                          .eventTable("domain_event_entry")
                          .snapshotTable("snapshot_event_entry")
                          .globalIndexColumn("global_index")
                          .timestampColumn("time_stamp")
                          .eventIdentifierColumn("event_identifier")
                          .aggregateIdentifierColumn("aggregate_identifier")
                          .sequenceNumberColumn("sequence_number")
                          .typeColumn("type")
                          .payloadTypeColumn("payload_type")
                          .payloadRevisionColumn("payload_revision")
                          .payloadColumn("payload")
                          .metaDataColumn("meta_data")
                          .build();
    }
}
