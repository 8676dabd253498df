package io.paymentintents.benchmark;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.query.PaymentIntentFold;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code check}: after a fault run, with the service caught up, holds three things against each other:
 * <ol>
 * <li>the clients' ledgers: every acknowledged create is in the event store exactly once (one intent carries its
 * key, with one {@code PaymentIntentCreated}), every acknowledged confirm or capture made its event exactly once,
 * and no valid request was answered with a refusal;</li>
 * <li>the event store: no intent has two {@code PaymentIntentSucceeded}, two {@code PaymentIntentCaptured} or two
 * authorizations, and every stream's sequence numbers are 0, 1, 2, ... without a hole;</li>
 * <li>the read model: every row of {@code payment_intents} equals the fold of its events ({@link PaymentIntentFold}):
 * version, status, amount, amount_received, amount_capturable and the charges (ids and statuses), and every stream
 * has its row.</li>
 * </ol>
 */
public final class Consistency {

    private static final ObjectMapper EVENTS = new ObjectMapper().findAndRegisterModules()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Result(long intents, long events, long acknowledged, long lost, List<String> violations,
                         List<String> notes) {
        public boolean ok() {
            return violations.isEmpty();
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(String.format("%d intents, %d events, %d acknowledged requests "
                    + "(%d never answered), %d violations", intents, events, acknowledged, lost, violations.size()));
            notes.forEach(n -> text.append("\n").append(n));
            violations.stream().limit(30).forEach(v -> text.append("\n  ").append(v));
            return text.toString();
        }
    }

    private record Stored(long globalIndex, long sequence, String type, PaymentIntentEvent event, String faultKey) {
    }

    private Consistency() {
    }

    static int main(Args args) throws Exception {
        List<Path> ledgers = new ArrayList<>();
        for (String file : args.string("ledger", "").split(",")) {
            if (!file.isBlank()) {
                ledgers.add(Path.of(file));
            }
        }
        try (Connection connection = DriverManager.getConnection(args.required("jdbc"),
                args.string("db-user", "bench"), args.string("db-password", "bench"))) {
            String explain = args.string("explain", null);
            if (explain != null) {
                explain(connection, explain);
                return 0;
            }
            if (!awaitCaughtUp(connection, args.duration("catch-up", Duration.ofSeconds(120)))) {
                System.out.println("the projection did not catch up with the event store");
            }
            Result result = check(connection, ledgers);
            System.out.println(result);
            return result.ok() ? 0 : 1;
        }
    }

    /** Waits until the processor's token is at the head of the event store. */
    public static boolean awaitCaughtUp(Connection connection, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery(
                    "SELECT convert_from(t.token, 'UTF8'), (SELECT max(global_index) FROM domain_event_entry) "
                            + "FROM token_entry t WHERE t.processor_name = 'payment-intents'")) {
                if (rows.next()) {
                    JsonNode token = rows.getString(1) == null ? null : JSON.readTree(rows.getString(1));
                    long head = rows.getLong(2);
                    if (token != null && token.path("index").asLong(-1) >= head) {
                        return true;
                    }
                }
            }
            Thread.sleep(200);
        }
        return false;
    }

    public static Result check(Connection connection, List<Path> ledgerFiles) throws Exception {
        List<String> violations = new ArrayList<>();
        Map<String, List<Stored>> streams = new LinkedHashMap<>();
        long eventCount = 0;
        try (Statement s = connection.createStatement()) {
            s.setFetchSize(1000);
            connection.setAutoCommit(false);
            try (ResultSet rows = s.executeQuery("SELECT global_index, aggregate_identifier, sequence_number, "
                    + "payload_type, payload FROM domain_event_entry ORDER BY aggregate_identifier, sequence_number")) {
                while (rows.next()) {
                    eventCount++;
                    String type = rows.getString(4);
                    PaymentIntentEvent event = (PaymentIntentEvent) EVENTS.readValue(rows.getBytes(5),
                            Class.forName(type));
                    String faultKey = event instanceof PaymentIntentCreated c && c.metadata() != null
                            ? c.metadata().get("fault_key") : null;
                    streams.computeIfAbsent(rows.getString(2), k -> new ArrayList<>())
                            .add(new Stored(rows.getLong(1), rows.getLong(3), type, event, faultKey));
                }
            }
            connection.commit();
            connection.setAutoCommit(true);
        }

        // the event store on its own
        Map<String, List<String>> intentsByFaultKey = new HashMap<>();
        for (Map.Entry<String, List<Stored>> stream : streams.entrySet()) {
            String id = stream.getKey();
            List<Stored> events = stream.getValue();
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).sequence() != i) {
                    violations.add(id + ": sequence numbers " + events.stream().map(Stored::sequence).toList());
                    break;
                }
            }
            long created = events.stream().filter(e -> e.event() instanceof PaymentIntentCreated).count();
            long succeeded = events.stream().filter(e -> e.event() instanceof PaymentIntentSucceeded).count();
            long captured = events.stream().filter(e -> e.event() instanceof PaymentIntentCaptured).count();
            long held = events.stream().filter(e -> e.event() instanceof PaymentIntentAmountCapturableUpdated).count();
            if (created != 1) {
                violations.add(id + ": " + created + " PaymentIntentCreated");
            }
            if (succeeded > 1) {
                violations.add(id + ": two successes (" + succeeded + " PaymentIntentSucceeded)");
            }
            if (captured > 1) {
                violations.add(id + ": two captures (" + captured + " PaymentIntentCaptured)");
            }
            if (held > 1) {
                violations.add(id + ": " + held + " authorizations held");
            }
            if (succeeded + captured > 1) {
                violations.add(id + ": paid " + (succeeded + captured) + " times (succeeded and captured)");
            }
            events.stream().map(Stored::faultKey).filter(Objects::nonNull).findFirst()
                    .ifPresent(key -> intentsByFaultKey.computeIfAbsent(key, k -> new ArrayList<>()).add(id));
        }
        intentsByFaultKey.forEach((key, ids) -> {
            if (ids.size() > 1) {
                violations.add("create key " + key + " made " + ids.size() + " intents: " + ids);
            }
        });

        // the read model against the fold of the events
        PaymentIntentFold fold = new PaymentIntentFold(new ClientSecrets(new byte[32]));
        Map<String, Map<String, Object>> rows = new HashMap<>();
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT id, version, status, "
                + "amount, amount_received, amount_capturable, charges::text FROM payment_intents")) {
            while (r.next()) {
                Map<String, Object> row = new HashMap<>();
                row.put("version", r.getLong(2));
                row.put("status", r.getString(3));
                row.put("amount", r.getLong(4));
                row.put("amount_received", r.getLong(5));
                row.put("amount_capturable", r.getLong(6));
                row.put("charges", charges(JSON.readTree(r.getString(7))));
                rows.put(r.getString(1), row);
            }
        }
        for (Map.Entry<String, List<Stored>> stream : streams.entrySet()) {
            String id = stream.getKey();
            PaymentIntentView view = fold.fold(stream.getValue().stream().map(Stored::event).toList());
            Map<String, Object> row = rows.remove(id);
            if (row == null) {
                violations.add(id + ": in the event store (" + stream.getValue().size() + " events, last global index "
                        + stream.getValue().get(stream.getValue().size() - 1).globalIndex()
                        + ") but not in the read model");
                continue;
            }
            Map<String, Object> expected = new HashMap<>();
            expected.put("version", view.version());
            expected.put("status", view.status().wireName());
            expected.put("amount", view.amount());
            expected.put("amount_received", view.amountReceived());
            expected.put("amount_capturable", view.amountCapturable());
            expected.put("charges", view.charges().stream().map(c -> c.id() + ":" + c.status()).toList());
            if (!expected.equals(row)) {
                violations.add(id + ": read model " + row + " but the events say " + expected);
            }
        }
        rows.keySet().forEach(id -> violations.add(id + ": in the read model but has no events"));

        // the ledgers
        long acknowledged = 0;
        long lost = 0;
        List<String> notes = new ArrayList<>();
        for (Path file : ledgerFiles) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(" ");
                if (f[0].equals("lost") || f[0].equals("unknown")) {
                    lost++;
                    // not acknowledged: it may have taken effect or not, but at most once (checked above)
                    String id = f[3];
                    String effect = switch (f[1]) {
                        case "create" -> intentsByFaultKey.getOrDefault(f[2], List.of()).isEmpty()
                                ? "no intent" : "the intent exists";
                        case "confirm" -> streams.getOrDefault(id, List.of()).stream().anyMatch(e -> e.event()
                                instanceof PaymentIntentSucceeded || e.event() instanceof PaymentIntentAmountCapturableUpdated)
                                ? "paid (once)" : "not paid";
                        case "capture" -> streams.getOrDefault(id, List.of()).stream().anyMatch(e -> e.event()
                                instanceof PaymentIntentCaptured) ? "captured (once)" : "not captured";
                        default -> "?";
                    };
                    notes.add("  not acknowledged: " + f[0] + " " + f[1] + " " + (id.equals("-") ? f[2] : id) + " ("
                            + String.join(" ", java.util.Arrays.copyOfRange(f, 4, f.length)) + "): " + effect);
                    continue;
                }
                if (!f[0].equals("ack")) {
                    continue;
                }
                acknowledged++;
                String operation = f[1];
                String key = f[2];
                String id = f[3];
                int status = Integer.parseInt(f[4]);
                if (status != 200) {
                    violations.add("ledger: " + operation + " " + key + " on " + id + " was answered " + status
                            + " (a valid request, retried with its key, must succeed)");
                    continue;
                }
                List<Stored> events = streams.get(id);
                if (events == null) {
                    violations.add("ledger: acknowledged " + operation + " of " + id + " but no such intent");
                    continue;
                }
                switch (operation) {
                    case "create" -> {
                        List<String> made = intentsByFaultKey.getOrDefault(key, List.of());
                        if (!made.equals(List.of(id))) {
                            violations.add("ledger: create " + key + " acknowledged as " + id
                                    + " but the event store has " + made);
                        }
                    }
                    case "confirm" -> {
                        long outcomes = events.stream().filter(e -> e.event() instanceof PaymentIntentSucceeded
                                || e.event() instanceof PaymentIntentAmountCapturableUpdated).count();
                        if (outcomes != 1) {
                            violations.add("ledger: confirm of " + id + " acknowledged, " + outcomes
                                    + " payment outcomes stored");
                        }
                    }
                    case "capture" -> {
                        long captures = events.stream().filter(e -> e.event() instanceof PaymentIntentCaptured)
                                .count();
                        if (captures != 1) {
                            violations.add("ledger: capture of " + id + " acknowledged, " + captures
                                    + " captures stored");
                        }
                    }
                    default -> violations.add("ledger: unknown operation " + operation);
                }
            }
        }
        return new Result(streams.size(), eventCount, acknowledged, lost, violations, notes);
    }

    /** Prints an intent's events as they are read back, and their fold. */
    private static void explain(Connection connection, String id) throws Exception {
        List<PaymentIntentEvent> events = new ArrayList<>();
        try (java.sql.PreparedStatement s = connection.prepareStatement("SELECT payload_type, payload FROM "
                + "domain_event_entry WHERE aggregate_identifier = ? ORDER BY sequence_number")) {
            s.setString(1, id);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    PaymentIntentEvent event = (PaymentIntentEvent) EVENTS.readValue(rows.getBytes(2),
                            Class.forName(rows.getString(1)));
                    System.out.println(event);
                    events.add(event);
                }
            }
        }
        System.out.println("fold: " + new PaymentIntentFold(new ClientSecrets(new byte[32])).fold(events));
    }

    private static List<String> charges(JsonNode array) {
        List<String> charges = new ArrayList<>();
        array.forEach(c -> charges.add(c.path("id").asText() + ":" + c.path("status").asText()));
        return charges;
    }

    /** For tests: a connection that is closed by the caller. */
    public static Connection connect(String url, String user, String password) throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }
}
