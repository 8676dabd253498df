package io.paymentintents.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.event.PaymentIntentCreated;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code hold-gap}: the gap-timeout trap, tried on the running service. A tracking processor that sees a hole in the
 * global index waits for it (Axon's gap timeout, 60 s) and then skips it for good, so an event-store transaction
 * that commits later than that would never be projected. Two writers append a {@code PaymentIntentCreated} and keep
 * their transaction open while the service takes other writes (so the processor moves past the hole), on
 * connections set up as the service's own ({@code connection-init-sql} of application.yml):
 * <ol>
 * <li><b>beyond</b>: held idle for longer than the gap timeout (70 s). PostgreSQL ends the session after the
 * service's {@code idle_in_transaction_session_timeout} (15 s): the commit fails, the event never exists, and
 * nothing was skipped. A second writer runs a statement that long inside its transaction instead (a stalled query):
 * {@code statement_timeout} (10 s) cancels it and the transaction cannot commit either.</li>
 * <li><b>allowed</b>: held for less than the idle timeout (12 s), then committed, long after the processor went
 * past its global index: the processor fills the hole and projects it.</li>
 * </ol>
 */
public final class GapHold {

    private static final ObjectMapper EVENTS = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Pattern INIT_SQL = Pattern.compile("connection-init-sql:\\s*\"([^\"]+)\"");
    private static final Pattern INDEX = Pattern.compile("\"index\"\\s*:\\s*(-?\\d+)");

    public record Outcome(String name, String intent, long globalIndex, Duration held, boolean committed,
                          String failure, long tokenWhenDone, boolean projected, boolean inEventStore) {
        @Override
        public String toString() {
            return String.format("%s: appended %s at global index %d, then held the transaction %d s; %s; processor token then at %d; "
                            + "in the event store: %s; in the read model: %s", name, intent, globalIndex,
                    held.toSeconds(), committed ? "committed" : "not committed (" + failure + ")", tokenWhenDone,
                    inEventStore ? "yes" : "no", projected ? "yes" : "no");
        }
    }

    private GapHold() {
    }

    static int main(Args args) throws Exception {
        String url = args.required("jdbc");
        String user = args.string("db-user", "bench");
        String password = args.string("db-password", "bench");
        String initSql = initSql(Path.of(args.string("application-yml",
                "standalone/src/main/resources/application.yml")));
        System.out.println("the service's connection-init-sql: " + initSql);
        AtomicBoolean loading = new AtomicBoolean(true);
        Thread load = backgroundLoad(args.required("url"), args.required("key"), loading);
        try {
            List<Outcome> outcomes = run(url, user, password, initSql, args.duration("beyond",
                    Duration.ofSeconds(70)), args.duration("allowed", Duration.ofSeconds(12)));
            outcomes.forEach(System.out::println);
            boolean ok = verdict(outcomes);
            System.out.println(ok ? "OK: nothing committed after the gap timeout; the late but allowed commit was "
                    + "projected" : "FAILED");
            return ok ? 0 : 1;
        } finally {
            loading.set(false);
            load.join(5_000);
        }
    }

    /** True when both held-too-long transactions failed to commit and the allowed one was projected. */
    public static boolean verdict(List<Outcome> outcomes) {
        return outcomes.stream().allMatch(o -> o.name().startsWith("allowed")
                ? o.committed() && o.projected() && o.inEventStore() && o.tokenWhenDone() > o.globalIndex()
                : !o.committed() && !o.inEventStore() && !o.projected());
    }

    /** The connection-init-sql the service runs on each of its connections. */
    public static String initSql(Path applicationYml) throws Exception {
        return initSql(Files.readString(applicationYml));
    }

    /** The connection-init-sql of an application.yml's text. */
    public static String initSql(String applicationYml) {
        Matcher m = INIT_SQL.matcher(applicationYml);
        if (!m.find()) {
            throw new IllegalStateException("no connection-init-sql in application.yml");
        }
        return m.group(1);
    }

    /** Runs the three writers at once; the service must be taking writes meanwhile. */
    public static List<Outcome> run(String url, String user, String password, String initSql, Duration beyond,
                                    Duration allowed) throws Exception {
        CompletableFuture<Outcome> idle = CompletableFuture.supplyAsync(() -> hold(url, user, password, initSql,
                "beyond (idle in transaction)", beyond, false));
        CompletableFuture<Outcome> statement = CompletableFuture.supplyAsync(() -> hold(url, user, password, initSql,
                "beyond (one long statement)", beyond, true));
        CompletableFuture<Outcome> late = CompletableFuture.supplyAsync(() -> hold(url, user, password, initSql,
                "allowed (idle in transaction)", allowed, false));
        return List.of(idle.get(), statement.get(), late.get());
    }

    private static Outcome hold(String url, String user, String password, String initSql, String name,
                                Duration hold, boolean asStatement) {
        String intent = "pi_gaphold" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        long globalIndex = -1;
        boolean committed = false;
        String failure = null;
        long started = 0;
        try (Connection connection = DriverManager.getConnection(url, user, password)) {
            try (Statement s = connection.createStatement()) {
                s.execute(initSql);
            }
            connection.setAutoCommit(false);
            Instant now = Instant.now();
            PaymentIntentCreated event = new PaymentIntentCreated(intent, "acct_default", 4242, "usd",
                    "cus_gaphold", "held across the gap timeout", Map.of(), List.of("card"), CaptureMethod.AUTOMATIC,
                    ConfirmationMethod.AUTOMATIC, null, null, PaymentIntentStatus.REQUIRES_PAYMENT_METHOD, now);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO domain_event_entry "
                    + "(event_identifier, aggregate_identifier, sequence_number, type, time_stamp, payload_type, "
                    + "payload_revision, payload, meta_data) VALUES (?, ?, 0, 'PaymentIntent', ?, ?, '1', ?, ?) "
                    + "RETURNING global_index")) {
                insert.setString(1, UUID.randomUUID().toString());
                insert.setString(2, intent);
                insert.setString(3, now.toString());
                insert.setString(4, PaymentIntentCreated.class.getName());
                insert.setBytes(5, EVENTS.writeValueAsBytes(event));
                insert.setBytes(6, "{\"accountId\":\"acct_default\"}".getBytes(StandardCharsets.UTF_8));
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    globalIndex = rows.getLong(1);
                }
            }
            started = System.nanoTime();
            try {
                if (asStatement) {
                    try (Statement s = connection.createStatement()) {
                        s.execute("SELECT pg_sleep(" + hold.toMillis() / 1000.0 + ")");
                    }
                } else {
                    Thread.sleep(hold.toMillis());
                }
                connection.commit();
                committed = true;
            } catch (SQLException e) {
                failure = e.getMessage().split("\n")[0];
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // the server has ended the session
                }
            }
        } catch (Exception e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
        }
        Duration held = Duration.ofNanos(started == 0 ? 0 : System.nanoTime() - started);
        try (Connection connection = DriverManager.getConnection(url, user, password)) {
            long token = token(connection);
            boolean inStore = exists(connection, "SELECT 1 FROM domain_event_entry WHERE aggregate_identifier = ?",
                    intent);
            boolean projected = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(inStore ? 30 : 5).toNanos();
            while (!projected && System.nanoTime() < deadline) {
                projected = exists(connection, "SELECT 1 FROM payment_intents WHERE id = ?", intent);
                if (!projected) {
                    Thread.sleep(200);
                }
            }
            return new Outcome(name, intent, globalIndex, held, committed, failure, token, projected, inStore);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the outcome of " + name, e);
        }
    }

    private static long token(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery("SELECT convert_from(token, "
                + "'UTF8') FROM token_entry WHERE processor_name = 'payment-intents' ORDER BY segment LIMIT 1")) {
            if (rows.next() && rows.getString(1) != null) {
                Matcher m = INDEX.matcher(rows.getString(1));
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
            return -1;
        }
    }

    private static boolean exists(Connection connection, String sql, String id) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** About 20 creates a second, so that the processor keeps moving past the held global indexes. */
    static Thread backgroundLoad(String url, String key, AtomicBoolean running) {
        Thread thread = new Thread(() -> {
            try (Api api = new Api(url, key, Duration.ofSeconds(10))) {
                long n = 0;
                while (running.get()) {
                    try {
                        api.post("/v1/payment_intents", Scenarios.createBody(++n, "gaphold"),
                                UUID.randomUUID().toString()).get();
                    } catch (Exception e) {
                        // keep going
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "gap-hold-load");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
