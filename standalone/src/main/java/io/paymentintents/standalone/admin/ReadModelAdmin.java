package io.paymentintents.standalone.admin;

import io.paymentintents.command.EventSerialization;
import io.paymentintents.standalone.processors.EventProcessorPositions;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import java.io.PrintStream;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The operator commands about event processors and the read model: {@code processors list},
 * {@code read-model rebuild}, {@code read-model status} and {@code read-model verify}.
 */
final class ReadModelAdmin {

    /** Exit status of {@code read-model verify} when the read model differs from the events. */
    static final int DIFFERENCES_FOUND = 3;
    private static final String PROJECTION = "payment-intents";
    private static final Duration UNCLAIMED_FOR = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(250);

    private final AdminDatabase database;
    private final JdbcTemplate jdbc;
    private final PrintStream out;
    private final PrintStream err;

    ReadModelAdmin(AdminDatabase database, PrintStream out, PrintStream err) {
        this.database = database;
        this.jdbc = new JdbcTemplate(database.dataSource());
        this.out = out;
        this.err = err;
    }

    int execute(AdminCommand.Invocation invocation) throws Exception {
        return switch (invocation.path()) {
            case "processors list" -> processors();
            case "read-model rebuild" -> rebuild();
            case "read-model status" -> status();
            case "read-model verify" -> verify(AdminCommand.duration("settle", invocation.optional("settle", "5s")));
            default -> throw new AdminCommand.UsageException("Unknown command: " + invocation.path());
        };
    }

    private int processors() {
        List<EventProcessorPositions.Segment> segments = new EventProcessorPositions(jdbc,
                EventSerialization.serializer(), Clock.systemUTC()).read();
        out.printf("%-28s %7s %10s %10s %8s %-18s %s%n", "PROCESSOR", "SEGMENT", "POSITION", "HEAD", "LAG",
                "OLDEST UNPROCESSED", "OWNER");
        for (EventProcessorPositions.Segment s : segments) {
            out.printf("%-28s %7d %10s %10d %8d %-18s %s%n", s.processor(), s.segment(),
                    s.position() < 0 ? "-" : Long.toString(s.position()), s.head(), s.lag(),
                    s.oldestUnprocessedAge() == null ? "-" : age(s.oldestUnprocessedAge()) + " ago",
                    s.owner() == null ? "-" : s.owner());
        }
        if (segments.isEmpty()) {
            err.println("No event processor has stored a token yet.");
        }
        return 0;
    }

    /** Asks the running service to rebuild, and follows it until it is done. */
    private int rebuild() throws InterruptedException {
        if (!database.serviceMayBeRunning()) {
            err.println("The service is not running. A rebuild runs inside the service, so that it keeps answering "
                    + "meanwhile: start the service, then run this command again.");
            return 1;
        }
        if (jdbc.queryForObject("SELECT to_regclass('read_model_rebuilds') IS NULL", Boolean.class)) {
            err.println("This database has no read_model_rebuilds table: start the service of this version once, "
                    + "then run this command again.");
            return 1;
        }
        long id;
        try {
            id = jdbc.queryForObject("INSERT INTO read_model_rebuilds (projection, requested_by) VALUES (?, ?) "
                    + "RETURNING id", Long.class, PROJECTION, requester());
        } catch (DuplicateKeyException e) {
            Map<String, Object> running = jdbc.queryForMap("SELECT id, state FROM read_model_rebuilds "
                    + "WHERE projection = ? AND state IN ('requested', 'rebuilding', 'switched')", PROJECTION);
            err.println("A rebuild is already under way: request " + running.get("id") + ", " + running.get("state")
                    + ". Follow it with: admin read-model status");
            return 1;
        }
        err.println("Requested rebuild " + id + " of the read model " + PROJECTION + ".");
        Instant requested = Instant.now();
        String lastReport = null;
        long lastReportAt = 0;
        while (true) {
            Map<String, Object> row = jdbc.queryForMap("SELECT * FROM read_model_rebuilds WHERE id = ?", id);
            String state = (String) row.get("state");
            switch (state) {
                case "done" -> {
                    out.println("Rebuilt " + PROJECTION + " (request " + id + ") up to event " + row.get("position")
                            + " in " + seconds(row.get("started_at"), row.get("finished_at"))
                            + "; the live projection paused for " + row.get("pause_millis") + " ms at the switch.");
                    if (row.get("message") != null) {
                        err.println("Note: " + row.get("message"));
                    }
                    return 0;
                }
                case "failed" -> {
                    err.println("Rebuild " + id + " failed on " + row.get("node") + ": " + row.get("message"));
                    err.println("The read model is unchanged; the live projection kept running.");
                    return 1;
                }
                case "requested" -> {
                    if (Instant.now().isAfter(requested.plus(UNCLAIMED_FOR))
                            && jdbc.update("DELETE FROM read_model_rebuilds WHERE id = ? AND state = 'requested'",
                            id) == 1) {
                        err.println("No running service took the request within " + UNCLAIMED_FOR.toSeconds()
                                + " s, so it was withdrawn. Is the service running on this database?");
                        return 1;
                    }
                }
                default -> {
                    String report = state.equals("switched") ? "switched to the new tables; dropping the old ones"
                            : row.get("position") == null ? "rebuilding on " + row.get("node") + ": starting"
                            : "rebuilding on " + row.get("node") + ": " + Math.max(0, (Long) row.get("position"))
                            + " of " + row.get("target") + " events";
                    if (!report.equals(lastReport) && System.nanoTime() - lastReportAt > 1_000_000_000L) {
                        err.println(report);
                        lastReport = report;
                        lastReportAt = System.nanoTime();
                    }
                }
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private int status() {
        if (jdbc.queryForObject("SELECT to_regclass('read_model_rebuilds') IS NULL", Boolean.class)) {
            err.println("No rebuild was ever requested on this database.");
            return 0;
        }
        out.printf("%-6s %-10s %-20s %-20s %10s %10s %8s %s%n", "ID", "STATE", "REQUESTED", "FINISHED", "POSITION",
                "TARGET", "PAUSE", "NODE / MESSAGE");
        for (Map<String, Object> row : jdbc.queryForList(
                "SELECT * FROM read_model_rebuilds ORDER BY id DESC LIMIT 10")) {
            out.printf("%-6s %-10s %-20s %-20s %10s %10s %8s %s%n", row.get("id"), row.get("state"),
                    time(row.get("requested_at")), time(row.get("finished_at")), dash(row.get("position")),
                    dash(row.get("target")), row.get("pause_millis") == null ? "-" : row.get("pause_millis") + " ms",
                    dash(row.get("node")) + (row.get("message") == null ? "" : " / " + row.get("message")));
        }
        return 0;
    }

    private int verify(Duration settle) throws SQLException, InterruptedException {
        // one connection for the many small queries; the command is single-threaded
        try (Connection connection = database.dataSource().getConnection()) {
            ReadModelVerification.Result result = new ReadModelVerification(
                    new SingleConnectionDataSource(connection, true)).verify(settle, err::println);
            for (ReadModelVerification.Difference d : result.differences()) {
                out.println(d.paymentIntentId() + "  " + d.field() + "  read model: " + d.readModel() + "  events: "
                        + d.events());
            }
            out.println("Checked " + result.intents() + " intents (" + result.events() + " events) against their "
                    + "events: " + (result.differences().isEmpty() ? "no differences."
                    : result.differences().size() + " difference(s) in " + result.intentsWithDifferences()
                    + " intent(s)."));
            return result.differences().isEmpty() ? 0 : DIFFERENCES_FOUND;
        }
    }

    private static String requester() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        return System.getProperty("user.name") + "@" + host;
    }

    private static String age(Duration age) {
        long seconds = age.toSeconds();
        if (seconds < 60) {
            return age.toMillis() < 10_000 ? String.format("%.1f s", age.toMillis() / 1000.0) : seconds + " s";
        }
        return seconds < 3600 ? seconds / 60 + " min " + seconds % 60 + " s" : seconds / 3600 + " h "
                + seconds % 3600 / 60 + " min";
    }

    private static String seconds(Object from, Object to) {
        Instant start = instant(from);
        Instant end = instant(to);
        return start == null || end == null ? "-" : String.format("%.1f s",
                Duration.between(start, end).toMillis() / 1000.0);
    }

    private static Instant instant(Object timestamp) {
        return timestamp instanceof java.sql.Timestamp t ? t.toInstant()
                : timestamp instanceof java.time.OffsetDateTime o ? o.toInstant() : null;
    }

    private static String time(Object timestamp) {
        Instant instant = instant(timestamp);
        return instant == null ? "-" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String dash(Object value) {
        return Objects.toString(value, "-");
    }
}
