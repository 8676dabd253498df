package io.paymentintents.query;

import org.springframework.jdbc.core.JdbcTemplate;

import java.util.List;
import java.util.Optional;

/**
 * The table {@code read_model_rebuilds}: rebuild requests written by the operator command, taken and carried out by
 * one running service, with their progress. A request whose node stopped sending heartbeats (it died) is taken over
 * by the next node that looks.
 */
class RebuildRequests {

    /** A request a node has taken; {@code state} is {@code rebuilding}, or {@code switched} when taken over after the switch. */
    record Taken(long id, String state) {
    }

    private static final String ABANDONED_AFTER = "30 seconds";

    private final JdbcTemplate jdbc;
    private final String node;

    RebuildRequests(JdbcTemplate jdbc, String node) {
        this.jdbc = jdbc;
        this.node = node;
    }

    /** Takes the oldest request for {@code projection} that nobody works on, if there is one. */
    Optional<Taken> take(String projection) {
        List<Taken> taken = jdbc.query("""
                UPDATE read_model_rebuilds
                   SET state = CASE WHEN state = 'requested' THEN 'rebuilding' ELSE state END,
                       node = ?, heartbeat_at = now(), started_at = coalesce(started_at, now()),
                       message = CASE WHEN state = 'requested' THEN NULL
                                      ELSE 'taken over from ' || node || ', whose heartbeat stopped' END
                 WHERE id = (SELECT id FROM read_model_rebuilds
                              WHERE projection = ?
                                AND (state = 'requested'
                                     OR (state IN ('rebuilding', 'switched')
                                         AND heartbeat_at < now() - CAST(? AS interval)))
                              ORDER BY id LIMIT 1
                              FOR UPDATE SKIP LOCKED)
                RETURNING id, state""",
                (rs, row) -> new Taken(rs.getLong("id"), rs.getString("state")), node, projection, ABANDONED_AFTER);
        return taken.stream().findFirst();
    }

    void progress(long id, long position, long target) {
        jdbc.update("UPDATE read_model_rebuilds SET position = ?, target = ?, heartbeat_at = now() WHERE id = ?",
                position, target, id);
    }

    void heartbeat(long id) {
        jdbc.update("UPDATE read_model_rebuilds SET heartbeat_at = now() WHERE id = ?", id);
    }

    /** Part of the switch's transaction: the new tables are in place exactly when this says so. */
    void switched(long id, long position) {
        jdbc.update("""
                UPDATE read_model_rebuilds SET state = 'switched', switched_at = now(), heartbeat_at = now(),
                       position = ?, target = ?
                 WHERE id = ?""", position, position, id);
    }

    void paused(long id, long pauseMillis) {
        jdbc.update("UPDATE read_model_rebuilds SET pause_millis = ? WHERE id = ?", pauseMillis, id);
    }

    void done(long id, String message) {
        jdbc.update("""
                UPDATE read_model_rebuilds SET state = 'done', finished_at = now(), heartbeat_at = now(),
                       message = coalesce(?, message)
                 WHERE id = ?""", message, id);
    }

    /** This node stops before finishing: any node (this one, started again) takes the request up at once. */
    void release(long id) {
        jdbc.update("""
                UPDATE read_model_rebuilds
                   SET state = CASE WHEN state = 'rebuilding' THEN 'requested' ELSE state END,
                       heartbeat_at = now() - interval '1 day', message = 'released by ' || node || ', which stopped'
                 WHERE id = ?""", id);
    }

    void failed(long id, String message) {
        jdbc.update("""
                UPDATE read_model_rebuilds SET state = 'failed', finished_at = now(), heartbeat_at = now(), message = ?
                 WHERE id = ?""", message, id);
    }
}
