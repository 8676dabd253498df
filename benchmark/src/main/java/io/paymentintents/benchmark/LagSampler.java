package io.paymentintents.benchmark;

import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Projection lag, sampled in time: every {@code interval}, the processor's token position ({@code token_entry}) is
 * compared with the head of the event store. When the token is behind, the lag is how long ago the oldest event it
 * has not handled yet was stored (its {@code time_stamp}); when it has caught up, the lag is 0. Also the lag in
 * events (head minus position).
 */
final class LagSampler implements AutoCloseable {

    private static final Pattern INDEX = Pattern.compile("\"index\"\\s*:\\s*(-?\\d+)");

    private final String url;
    private final String user;
    private final String password;
    private final String processor;
    private final Duration interval;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Histogram millis = new Histogram(3_600_000L, 3);
    private volatile Histogram events = new Histogram(100_000_000L, 3);
    private volatile long failures;

    LagSampler(String url, String user, String password, String processor, Duration interval) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.processor = processor;
        this.interval = interval;
        this.thread = new Thread(this::loop, "lag-sampler");
        this.thread.setDaemon(true);
    }

    LagSampler start() {
        thread.start();
        return this;
    }

    /** Hands over what was sampled since the last call, and starts afresh. */
    synchronized Snapshot takeSnapshot() {
        Snapshot snapshot = new Snapshot(millis, events, failures);
        millis = new Histogram(3_600_000L, 3);
        events = new Histogram(100_000_000L, 3);
        failures = 0;
        return snapshot;
    }

    record Snapshot(Histogram millis, Histogram events, long failures) {
    }

    /** Blocks until the projection has caught up with the head (or {@code timeout} passed); true if it has. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection connection = connect()) {
                long[] sample = position(connection);
                if (sample != null && sample[0] >= sample[1]) {
                    return true;
                }
            } catch (SQLException e) {
                // not reachable right now
            }
            Thread.sleep(100);
        }
        return false;
    }

    private Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection(url, user, password);
        connection.setAutoCommit(true);
        return connection;
    }

    /** {token position, head}, or null if the processor has no token yet. */
    private long[] position(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT t.token, (SELECT max(global_index) FROM domain_event_entry) FROM token_entry t "
                        + "WHERE t.processor_name = ? ORDER BY t.segment LIMIT 1")) {
            statement.setString(1, processor);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                byte[] token = rows.getBytes(1);
                long head = rows.getLong(2);
                if (rows.wasNull()) {
                    head = -1;
                }
                long index = -1;
                if (token != null) {
                    Matcher m = INDEX.matcher(new String(token, StandardCharsets.UTF_8));
                    if (m.find()) {
                        index = Long.parseLong(m.group(1));
                    }
                }
                return new long[]{index, head};
            }
        }
    }

    private void loop() {
        Connection connection = null;
        while (running) {
            long started = System.nanoTime();
            try {
                if (connection == null || connection.isClosed()) {
                    connection = connect();
                }
                long[] sample = position(connection);
                if (sample != null) {
                    long lagMillis = 0;
                    if (sample[0] < sample[1]) {
                        try (PreparedStatement statement = connection.prepareStatement(
                                "SELECT time_stamp FROM domain_event_entry WHERE global_index > ? "
                                        + "ORDER BY global_index LIMIT 1")) {
                            statement.setLong(1, sample[0]);
                            try (ResultSet rows = statement.executeQuery()) {
                                if (rows.next()) {
                                    lagMillis = Math.max(0, Duration.between(Instant.parse(rows.getString(1)),
                                            Instant.now()).toMillis());
                                }
                            }
                        }
                    }
                    synchronized (this) {
                        millis.recordValue(Math.min(lagMillis, 3_600_000L));
                        events.recordValue(Math.max(0, Math.min(sample[1] - sample[0], 100_000_000L)));
                    }
                }
            } catch (SQLException | RuntimeException e) {
                synchronized (this) {
                    failures++;
                }
                try {
                    if (connection != null) {
                        connection.close();
                    }
                } catch (SQLException ignored) {
                    // gone already
                }
                connection = null;
            }
            long rest = interval.toNanos() - (System.nanoTime() - started);
            if (rest > 0) {
                try {
                    Thread.sleep(rest / 1_000_000, (int) (rest % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
