package io.paymentintents.gateway.idempotency;

import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The {@code idempotency_keys} table. A key is claimed in one insert (the primary key on (account, key) decides
 * between racing requests), completed with the response once there is one, and pruned after the retention period.
 */
public class IdempotencyStore {

    /** What a request finds when it presents its key. */
    public sealed interface Claim {
    }

    /** The key is this request's to execute (first use, or a stale claim of a crashed process taken over). */
    public record Claimed() implements Claim {
    }

    /** The key was used with other parameters or on another endpoint. */
    public record Mismatch() implements Claim {
    }

    /** Another request with this key is still executing. */
    public record InProgress() implements Claim {
    }

    /** The key's first request finished: answer with its response. */
    public record Replay(int status, String body) implements Claim {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration staleAfter;

    public IdempotencyStore(JdbcTemplate jdbc, Clock clock, Duration staleAfter) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.staleAfter = staleAfter;
    }

    public Claim claim(String accountId, String key, String endpoint, String requestHash) {
        Timestamp now = Timestamp.from(clock.instant());
        int inserted = jdbc.update("""
                INSERT INTO idempotency_keys (account_id, idempotency_key, endpoint, request_hash, state, created_at,
                    claimed_at)
                VALUES (?, ?, ?, ?, 'in_progress', ?, ?)
                ON CONFLICT (account_id, idempotency_key) DO NOTHING""",
                accountId, key, endpoint, requestHash, now, now);
        if (inserted == 1) {
            return new Claimed();
        }
        List<Row> rows = jdbc.query("""
                SELECT endpoint, request_hash, state, response_status, response_body, claimed_at
                FROM idempotency_keys WHERE account_id = ? AND idempotency_key = ?""",
                (rs, i) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                        rs.getTimestamp(6)), accountId, key);
        if (rows.isEmpty()) {
            return claim(accountId, key, endpoint, requestHash); // pruned between the two statements
        }
        Row row = rows.get(0);
        if (!row.endpoint.equals(endpoint) || !row.requestHash.equals(requestHash)) {
            return new Mismatch();
        }
        if ("complete".equals(row.state)) {
            return new Replay(row.status, row.body);
        }
        // A claim older than any request can run belongs to a process that died mid-request: take it over, exactly
        // one of several retries wins (the claimed_at it read must still be there).
        if (row.claimedAt.toInstant().isBefore(clock.instant().minus(staleAfter))) {
            int taken = jdbc.update("""
                    UPDATE idempotency_keys SET claimed_at = ?
                    WHERE account_id = ? AND idempotency_key = ? AND state = 'in_progress' AND claimed_at = ?""",
                    now, accountId, key, row.claimedAt);
            if (taken == 1) {
                return new Claimed();
            }
        }
        return new InProgress();
    }

    public void complete(String accountId, String key, int status, String body) {
        jdbc.update("""
                UPDATE idempotency_keys SET state = 'complete', response_status = ?, response_body = ?
                WHERE account_id = ? AND idempotency_key = ?""", status, body, accountId, key);
    }

    /** Gives the key back, unanswered: the request may be retried as if it had never come (e.g. after a 429). */
    public void release(String accountId, String key) {
        jdbc.update("DELETE FROM idempotency_keys WHERE account_id = ? AND idempotency_key = ? "
                + "AND state = 'in_progress'", accountId, key);
    }

    /** Deletes keys created before {@code cutoff}; answers how many. */
    public int prune(Instant cutoff) {
        return jdbc.update("DELETE FROM idempotency_keys WHERE created_at < ?", Timestamp.from(cutoff));
    }

    private record Row(String endpoint, String requestHash, String state, int status, String body,
                       Timestamp claimedAt) {
    }
}
