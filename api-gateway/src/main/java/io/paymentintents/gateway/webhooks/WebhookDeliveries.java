package io.paymentintents.gateway.webhooks;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The webhook outbox, {@code webhook_deliveries} and {@code webhook_delivery_attempts}. Times that decide who may
 * send what (due, leased) are the database's clock, so that the processes of a deployment agree on them.
 */
public class WebhookDeliveries {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;

    public WebhookDeliveries(JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /**
     * Inserts a delivery of the event for every enabled endpoint of the account that listens to its type and
     * existed when it happened. Runs in the caller's transaction (the event processor's, with its token). An event
     * handled again inserts nothing again.
     *
     * @return how many deliveries were inserted
     */
    public int enqueue(String accountId, String eventId, String eventType, Instant occurredAt) {
        List<String> endpoints = jdbc.queryForList("""
                SELECT id FROM webhook_endpoints
                WHERE account_id = ? AND status = 'enabled' AND created_at <= ?
                  AND (enabled_events @> jsonb_build_array(?::text) OR enabled_events @> '["*"]'::jsonb)""",
                String.class, accountId, Timestamp.from(occurredAt), eventType);
        int inserted = 0;
        for (String endpoint : endpoints) {
            inserted += jdbc.update("""
                    INSERT INTO webhook_deliveries (id, endpoint_id, account_id, event_id, event_type, created_at,
                        state, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, now(), 'pending', now())
                    ON CONFLICT (endpoint_id, event_id) DO NOTHING""",
                    WebhookIds.delivery(endpoint, eventId), endpoint, accountId, eventId, eventType);
        }
        return inserted;
    }

    /**
     * A delivery taken by one sender until {@code lease_until}.
     *
     * @param interruptedLeaseUntil set when the previous holder's lease ran out without a result recorded: that
     *                              attempt was interrupted (its process died), and this is the resend
     */
    public record Claim(String deliveryId, String endpointId, String accountId, String eventId, String url,
                        boolean manual, String leaseToken, Instant interruptedLeaseUntil) {
    }

    /**
     * Takes up to {@code capacity} due deliveries of enabled endpoints, at most {@code perEndpoint} in flight per
     * endpoint counting those other senders hold. First the endpoints with due deliveries are locked, skipping those
     * another sender is claiming for right now ({@code SKIP LOCKED}); then, in a statement whose snapshot is taken
     * after those locks were granted (and so sees every lease given under them), their deliveries are leased. So
     * the per-endpoint bound holds across processes, and no delivery is claimed twice.
     */
    public List<Claim> claim(int capacity, int perEndpoint, Duration lease) {
        if (capacity <= 0) {
            return List.of();
        }
        String token = UUID.randomUUID().toString();
        return transactions.execute(status -> {
            List<String> endpoints = jdbc.queryForList("""
                    SELECT e.id FROM webhook_endpoints e
                    WHERE e.status = 'enabled' AND e.id IN (
                        SELECT endpoint_id FROM webhook_deliveries
                        WHERE state = 'pending' AND next_attempt_at <= now()
                          AND (lease_until IS NULL OR lease_until <= now()))
                    FOR NO KEY UPDATE SKIP LOCKED""", String.class);
            if (endpoints.isEmpty()) {
                return List.<Claim>of();
            }
            return jdbc.query("""
                    WITH claimable AS (
                        SELECT d.id, d.next_attempt_at, d.lease_until AS previous_lease, e.url
                        FROM webhook_endpoints e CROSS JOIN LATERAL (
                            SELECT p.id, p.next_attempt_at, p.lease_until FROM webhook_deliveries p
                            WHERE p.endpoint_id = e.id AND p.state = 'pending' AND p.next_attempt_at <= now()
                              AND (p.lease_until IS NULL OR p.lease_until <= now())
                            ORDER BY p.next_attempt_at, p.id
                            LIMIT GREATEST(0, ? - (SELECT count(*) FROM webhook_deliveries f
                                                   WHERE f.endpoint_id = e.id AND f.state = 'pending'
                                                     AND f.lease_until > now()))
                            FOR UPDATE SKIP LOCKED
                        ) d
                        WHERE e.id = ANY (?)
                        ORDER BY d.next_attempt_at
                        LIMIT ?
                    )
                    UPDATE webhook_deliveries d
                    SET lease_until = now() + ? * interval '1 millisecond', lease_token = ?
                    FROM claimable
                    WHERE d.id = claimable.id
                    RETURNING d.id, d.endpoint_id, d.account_id, d.event_id, claimable.url, d.manual_retry,
                        claimable.previous_lease""",
                    (rs, i) -> new Claim(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getBoolean(6), token,
                            rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant()),
                    perEndpoint, endpoints.toArray(String[]::new), capacity, lease.toMillis(), token);
        });
    }

    /** The result of one attempt to send. */
    public record Outcome(Instant attemptedAt, Integer statusCode, Long latencyMs, String error) {
        public boolean succeeded() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    /**
     * Records the attempt, and then (if this sender still holds the delivery) marks it succeeded, schedules the
     * next attempt, or gives up once the next one would fall beyond the schedule's maximum age. A delivery whose
     * endpoint was deleted meanwhile is gone, and nothing is recorded.
     */
    public void record(Claim claim, Outcome outcome, RetrySchedule schedule) {
        transactions.executeWithoutResult(status -> {
            Integer attempt = attempt(claim, outcome);
            if (attempt == null) {
                return;
            }
            if (outcome.succeeded()) {
                jdbc.update("""
                        UPDATE webhook_deliveries SET state = 'succeeded', next_attempt_at = NULL, lease_until = NULL,
                            lease_token = NULL, manual_retry = FALSE
                        WHERE id = ? AND lease_token = ?""", claim.deliveryId(), claim.leaseToken());
            } else {
                reschedule(claim, schedule.delayAfter(attempt), schedule.maxAge());
            }
        });
    }

    /** Records the attempt its previous holder was sending when it died (the lease ran out without a result). */
    public void recordInterrupted(Claim claim, Duration lease) {
        transactions.executeWithoutResult(status -> attempt(claim, new Outcome(
                claim.interruptedLeaseUntil().minus(lease), null, null,
                "interrupted: the sender stopped before the receiver answered; sent again")));
    }

    private Integer attempt(Claim claim, Outcome outcome) {
        List<Integer> numbers = jdbc.queryForList("UPDATE webhook_deliveries SET attempt_count = attempt_count + 1 "
                + "WHERE id = ? RETURNING attempt_count", Integer.class, claim.deliveryId());
        if (numbers.isEmpty()) {
            return null;
        }
        jdbc.update("""
                INSERT INTO webhook_delivery_attempts (delivery_id, attempt, attempted_at, manual, status_code,
                    latency_ms, error)
                VALUES (?, ?, ?, ?, ?, ?, ?)""",
                claim.deliveryId(), numbers.get(0), Timestamp.from(outcome.attemptedAt()), claim.manual(),
                outcome.statusCode(), outcome.latencyMs(), truncate(outcome.error()));
        return numbers.get(0);
    }

    private void reschedule(Claim claim, Duration delay, Duration maxAge) {
        jdbc.update("""
                UPDATE webhook_deliveries
                SET state = CASE WHEN now() + ? * interval '1 millisecond' > created_at + ? * interval '1 millisecond'
                                 THEN 'failed' ELSE 'pending' END,
                    next_attempt_at = CASE WHEN now() + ? * interval '1 millisecond'
                                                > created_at + ? * interval '1 millisecond'
                                           THEN NULL ELSE now() + ? * interval '1 millisecond' END,
                    lease_until = NULL, lease_token = NULL, manual_retry = FALSE
                WHERE id = ? AND lease_token = ?""",
                delay.toMillis(), maxAge.toMillis(), delay.toMillis(), maxAge.toMillis(), delay.toMillis(),
                claim.deliveryId(), claim.leaseToken());
    }

    /**
     * Gives the delivery back without an attempt, due again after {@code wait}: its event is not in the events
     * read model yet, or the sender could not start.
     */
    public void postpone(Claim claim, Duration wait) {
        jdbc.update("""
                UPDATE webhook_deliveries SET next_attempt_at = now() + ? * interval '1 millisecond',
                    lease_until = NULL, lease_token = NULL
                WHERE id = ? AND lease_token = ?""", wait.toMillis(), claim.deliveryId(), claim.leaseToken());
    }

    /**
     * Makes the delivery due now, whatever its state, as a manual attempt; empty when the endpoint (of the
     * account) has no such delivery. A sender holding it keeps sending, but its result no longer reschedules it.
     */
    public Optional<WebhookDelivery> retry(String accountId, String endpointId, String deliveryId) {
        int updated = jdbc.update("""
                UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), manual_retry = TRUE,
                    lease_until = NULL, lease_token = NULL
                WHERE id = ? AND endpoint_id = ? AND account_id = ?""", deliveryId, endpointId, accountId);
        return updated == 0 ? Optional.empty() : find(accountId, endpointId, deliveryId);
    }

    public Optional<WebhookDelivery> find(String accountId, String endpointId, String deliveryId) {
        List<WebhookDelivery> found = withAttempts(jdbc.query("SELECT " + COLUMNS + " FROM webhook_deliveries "
                + "WHERE id = ? AND endpoint_id = ? AND account_id = ?", ROW, deliveryId, endpointId, accountId));
        return found.stream().findFirst();
    }

    /** A page of one endpoint's deliveries, newest first; empty when the cursor names none of them. */
    public Optional<Page> list(String accountId, String endpointId, String eventId, int limit,
                                                String startingAfter, String endingBefore) {
        String cursor = startingAfter != null ? startingAfter : endingBefore;
        if (cursor != null && find(accountId, endpointId, cursor).isEmpty()) {
            return Optional.empty();
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM webhook_deliveries "
                + "WHERE endpoint_id = ? AND account_id = ?");
        List<Object> arguments = new ArrayList<>(List.of(endpointId, accountId));
        if (eventId != null) {
            sql.append(" AND event_id = ?");
            arguments.add(eventId);
        }
        boolean upwards = endingBefore != null;
        if (cursor != null) {
            sql.append(" AND (created_at, id) ").append(upwards ? ">" : "<")
               .append(" ((SELECT created_at FROM webhook_deliveries WHERE id = ?), ?)");
            arguments.add(cursor);
            arguments.add(cursor);
        }
        sql.append(upwards ? " ORDER BY created_at ASC, id ASC" : " ORDER BY created_at DESC, id DESC")
           .append(" LIMIT ?");
        arguments.add(limit + 1);
        List<WebhookDelivery> rows = jdbc.query(sql.toString(), ROW, arguments.toArray());
        List<WebhookDelivery> data = new ArrayList<>(rows.subList(0, Math.min(limit, rows.size())));
        if (upwards) {
            Collections.reverse(data); // read upwards from the cursor, shown newest first like every page
        }
        return Optional.of(new Page(withAttempts(data), rows.size() > limit));
    }

    /** A page in list order (newest first) and whether more follow in the direction of paging. */
    public record Page(List<WebhookDelivery> data, boolean hasMore) {
    }

    /** Deletes finished deliveries created before {@code cutoff}, with their attempts. */
    public int prune(Instant cutoff) {
        return jdbc.update("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at < ?",
                Timestamp.from(cutoff));
    }

    /** For the pruning job: now, by this process's clock. */
    Instant now() {
        return clock.instant();
    }

    private List<WebhookDelivery> withAttempts(List<WebhookDelivery> deliveries) {
        if (deliveries.isEmpty()) {
            return deliveries;
        }
        Map<String, List<WebhookDelivery.Attempt>> attempts = new LinkedHashMap<>();
        deliveries.forEach(d -> attempts.put(d.id(), new ArrayList<>()));
        jdbc.query("SELECT delivery_id, attempt, attempted_at, manual, status_code, latency_ms, error "
                        + "FROM webhook_delivery_attempts WHERE delivery_id = ANY (?) ORDER BY delivery_id, attempt",
                rs -> {
                    attempts.get(rs.getString(1)).add(new WebhookDelivery.Attempt(rs.getInt(2),
                            rs.getTimestamp(3).toInstant(), rs.getBoolean(4), (Integer) rs.getObject(5),
                            (Long) rs.getObject(6), rs.getString(7)));
                },
                (Object) deliveries.stream().map(WebhookDelivery::id).toArray(String[]::new));
        return deliveries.stream().map(d -> new WebhookDelivery(d.id(), d.endpointId(), d.eventId(), d.eventType(),
                d.createdAt(), d.state(), d.attemptCount(), d.nextAttemptAt(), List.copyOf(attempts.get(d.id()))))
                .toList();
    }

    private static final String COLUMNS = "id, endpoint_id, event_id, event_type, created_at, state, attempt_count, "
            + "next_attempt_at";

    private static final RowMapper<WebhookDelivery> ROW = (rs, i) -> new WebhookDelivery(rs.getString(1),
            rs.getString(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant(), rs.getString(6),
            rs.getInt(7), rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant(), List.of());

    private static String truncate(String error) {
        return error == null || error.length() <= 500 ? error : error.substring(0, 497) + "...";
    }
}
