package io.paymentintents.standalone.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.Charge;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.command.EventSerialization;
import io.paymentintents.query.PaymentIntentFold;
import io.paymentintents.query.PaymentIntentTable;
import io.paymentintents.query.QuerySideConfiguration;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import javax.sql.DataSource;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Holds the read model to what the event store says: every intent's row, charge index entries and {@code created}
 * column against {@link PaymentIntentFold} over its events, read the way the service reads them (the same schema,
 * serializer and upcasters, {@link EventSerialization}).
 *
 * <p>It runs beside a working service. An intent written while it is compared (its row not yet at its last event)
 * looks different for a moment, so every intent found different is compared again, for up to {@code settle}; only
 * what stays different is reported.
 */
final class ReadModelVerification {

    /** One field of one intent on which the read model and the events disagree; values as JSON. */
    record Difference(String paymentIntentId, String field, String readModel, String events) {
    }

    record Result(int intents, long events, List<Difference> differences) {

        long intentsWithDifferences() {
            return differences.stream().map(Difference::paymentIntentId).distinct().count();
        }
    }

    private static final Duration RECHECK_INTERVAL = Duration.ofMillis(250);

    private final JdbcTemplate jdbc;
    private final EventStorageEngine events;
    private final PaymentIntentTable table;
    private final PaymentIntentFold fold;
    private final ObjectMapper json = new QuerySideConfiguration().readModelObjectMapper();

    ReadModelVerification(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        JacksonSerializer serializer = EventSerialization.serializer();
        this.events = JdbcEventStorageEngine.builder()
                .connectionProvider(new DataSourceConnectionProvider(dataSource))
                .transactionManager(NoTransactionManager.INSTANCE)
                .schema(EventSerialization.eventSchema())
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .upcasterChain(EventSerialization.upcasterChain())
                .build();
        // The client secret is derived from the id on both sides and never stored: any key will do.
        ClientSecrets secrets = new ClientSecrets(new byte[32]);
        this.table = new PaymentIntentTable(new NamedParameterJdbcTemplate(dataSource), json, secrets);
        this.fold = new PaymentIntentFold(secrets);
    }

    Result verify(Duration settle, Consumer<String> notes) throws InterruptedException {
        TreeSet<String> ids = new TreeSet<>(jdbc.queryForList(
                "SELECT DISTINCT aggregate_identifier FROM domain_event_entry WHERE type = 'PaymentIntent'",
                String.class));
        ids.addAll(jdbc.queryForList("SELECT id FROM payment_intents", String.class));
        long eventCount = 0;
        Map<String, List<Difference>> different = new TreeMap<>();
        for (String id : ids) {
            Comparison comparison = compare(id);
            eventCount += comparison.events();
            if (!comparison.differences().isEmpty()) {
                different.put(id, comparison.differences());
            }
        }
        long deadline = System.nanoTime() + settle.toNanos();
        if (!different.isEmpty() && !settle.isZero()) {
            notes.accept("Comparing " + different.size() + " intent(s) again for up to " + settle.toSeconds()
                    + " s, in case they were being written.");
        }
        while (!different.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(RECHECK_INTERVAL.toMillis());
            different.replaceAll((id, before) -> compare(id).differences());
            different.values().removeIf(List::isEmpty);
        }
        return new Result(ids.size(), eventCount,
                different.values().stream().flatMap(List::stream).collect(Collectors.toList()));
    }

    private record Comparison(long events, List<Difference> differences) {
    }

    private Comparison compare(String id) {
        List<Difference> differences = new ArrayList<>();
        PaymentIntentView expected = null;
        long count = 0;
        DomainEventStream stream = events.readEvents(id);
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            count++;
            if (event.getPayload() instanceof PaymentIntentEvent payload) {
                expected = fold.apply(expected, payload, event.getSequenceNumber());
            } else {
                differences.add(new Difference(id, "event " + event.getSequenceNumber(), "-",
                        "not a PaymentIntentEvent: " + event.getPayloadType().getName()));
            }
        }
        Optional<PaymentIntentView> row = table.findById(id);
        if (row.isEmpty() || expected == null) {
            if (row.isPresent() || expected != null) {
                differences.add(new Difference(id, "row", row.isPresent() ? "present" : "missing",
                        expected == null ? "no events" : "version " + expected.version()));
            }
            return new Comparison(count, differences);
        }
        for (RecordComponent component : PaymentIntentView.class.getRecordComponents()) {
            if (component.getName().equals("clientSecret")) {
                continue; // derived from the id whenever it is shown, on both sides
            }
            Object stored = value(component, row.get());
            Object folded = value(component, expected);
            if (!Objects.equals(stored, folded)) {
                differences.add(new Difference(id, column(component.getName()), render(stored), render(folded)));
            }
        }
        // the columns the view does not carry: created (unix seconds) and the charge index
        List<Long> created = jdbc.queryForList("SELECT created FROM payment_intents WHERE id = ?", Long.class, id);
        if (!created.equals(List.of(expected.createdAt().getEpochSecond()))) {
            differences.add(new Difference(id, "created", render(created.isEmpty() ? null : created.get(0)),
                    render(expected.createdAt().getEpochSecond())));
        }
        Map<String, String> indexed = new TreeMap<>();
        jdbc.query("SELECT charge_id, payment_intent_id, account_id FROM payment_intent_charges "
                        + "WHERE payment_intent_id = ? OR charge_id = ANY (?)", rs -> {
                    indexed.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3));
                }, id, expected.charges().stream().map(Charge::id).toArray(String[]::new));
        Map<String, String> shouldBe = new TreeMap<>();
        for (Charge charge : expected.charges()) {
            shouldBe.put(charge.id(), id + " " + expected.accountId());
        }
        if (!indexed.equals(shouldBe)) {
            differences.add(new Difference(id, "payment_intent_charges", render(indexed), render(shouldBe)));
        }
        return new Comparison(count, differences);
    }

    private static Object value(RecordComponent component, PaymentIntentView view) {
        try {
            return component.getAccessor().invoke(view);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code amountReceived} is the column {@code amount_received}. */
    private static String column(String component) {
        return component.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }

    private String render(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
