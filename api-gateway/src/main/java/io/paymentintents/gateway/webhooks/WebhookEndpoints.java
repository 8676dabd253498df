package io.paymentintents.gateway.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.gateway.web.ApiException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code webhook_endpoints} table. Every statement is scoped by account: another account's endpoint is found
 * nowhere, exactly like one that does not exist.
 */
public class WebhookEndpoints {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, account_id, url, enabled_events::text, description, metadata::text, "
            + "status, created_at";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final int maxPerAccount;

    public WebhookEndpoints(JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock, int maxPerAccount) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.maxPerAccount = maxPerAccount;
    }

    /** A page in list order (newest first) and whether more follow in the direction of paging. */
    public record Page(List<WebhookEndpoint> data, boolean hasMore) {
    }

    /**
     * Creates the endpoint, or answers with the one that already has this id (a keyed create retried after its
     * response was lost: the id is derived from the request). The account's endpoints are counted under a lock on
     * the account, so racing creates cannot pass the limit together.
     */
    public WebhookEndpoint create(String id, String accountId, String url, List<String> enabledEvents,
                                  String description, Map<String, String> metadata) {
        return transactions.execute(status -> {
            jdbc.queryForList("SELECT id FROM accounts WHERE id = ? FOR UPDATE", accountId);
            Optional<WebhookEndpoint> existing = find(accountId, id);
            if (existing.isPresent()) {
                return existing.get();
            }
            Integer count = jdbc.queryForObject("SELECT count(*) FROM webhook_endpoints WHERE account_id = ?",
                    Integer.class, accountId);
            if (count != null && count >= maxPerAccount) {
                throw new ApiException(ApiError.invalidRequest(null, null, "You have reached the maximum of "
                        + maxPerAccount + " webhook endpoints on this account. Delete one before you create "
                        + "another."));
            }
            // microseconds, as PostgreSQL keeps them, so that the row read back equals the one returned
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            jdbc.update("""
                    INSERT INTO webhook_endpoints (id, account_id, url, enabled_events, description, metadata, status,
                        created_at)
                    VALUES (?, ?, ?, ?::jsonb, ?, ?::jsonb, 'enabled', ?)""",
                    id, accountId, url, json(enabledEvents), description, json(new TreeMap<>(metadata)),
                    Timestamp.from(now));
            return new WebhookEndpoint(id, accountId, url, List.copyOf(enabledEvents), description,
                    sorted(metadata), true, now);
        });
    }

    public Optional<WebhookEndpoint> find(String accountId, String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM webhook_endpoints WHERE account_id = ? AND id = ?", ROW,
                accountId, id).stream().findFirst();
    }

    /**
     * One page, newest first, after ({@code startingAfter}) or before ({@code endingBefore}) the endpoint with that
     * id; empty when the cursor names no endpoint of the account.
     */
    public Optional<Page> list(String accountId, int limit, String startingAfter, String endingBefore) {
        String cursor = startingAfter != null ? startingAfter : endingBefore;
        if (cursor == null) {
            return Optional.of(page(jdbc.query("SELECT " + COLUMNS + " FROM webhook_endpoints WHERE account_id = ? "
                    + "ORDER BY created_at DESC, id DESC LIMIT ?", ROW, accountId, limit + 1), limit, false));
        }
        if (find(accountId, cursor).isEmpty()) {
            return Optional.empty();
        }
        String position = "(SELECT created_at FROM webhook_endpoints WHERE account_id = ? AND id = ?)";
        if (startingAfter != null) {
            return Optional.of(page(jdbc.query("SELECT " + COLUMNS + " FROM webhook_endpoints WHERE account_id = ? "
                    + "AND (created_at, id) < (" + position + ", ?) ORDER BY created_at DESC, id DESC LIMIT ?",
                    ROW, accountId, accountId, cursor, cursor, limit + 1), limit, false));
        }
        return Optional.of(page(jdbc.query("SELECT " + COLUMNS + " FROM webhook_endpoints WHERE account_id = ? "
                + "AND (created_at, id) > (" + position + ", ?) ORDER BY created_at ASC, id ASC LIMIT ?",
                ROW, accountId, accountId, cursor, cursor, limit + 1), limit, true));
    }

    private static Page page(List<WebhookEndpoint> rows, int limit, boolean reversed) {
        boolean hasMore = rows.size() > limit;
        List<WebhookEndpoint> data = new ArrayList<>(rows.subList(0, Math.min(limit, rows.size())));
        if (reversed) {
            Collections.reverse(data); // read upwards from the cursor, shown newest first like every page
        }
        return new Page(data, hasMore);
    }

    /** What an update changes; null fields stay as they are. */
    public record Changes(String url, List<String> enabledEvents, Boolean disabled, boolean descriptionGiven,
                          String description, boolean unsetMetadata, Map<String, String> metadata) {
    }

    /** Applies the changes under a row lock; empty when the account has no such endpoint. */
    public Optional<WebhookEndpoint> update(String accountId, String id, Changes changes) {
        return transactions.execute(status -> {
            Optional<WebhookEndpoint> current = jdbc.query("SELECT " + COLUMNS + " FROM webhook_endpoints "
                    + "WHERE account_id = ? AND id = ? FOR UPDATE", ROW, accountId, id).stream().findFirst();
            if (current.isEmpty()) {
                return Optional.empty();
            }
            WebhookEndpoint endpoint = current.get();
            Map<String, String> metadata = new TreeMap<>(changes.unsetMetadata() ? Map.of() : endpoint.metadata());
            if (changes.metadata() != null) {
                changes.metadata().forEach((key, value) -> {
                    if (value.isEmpty()) {
                        metadata.remove(key);
                    } else {
                        metadata.put(key, value);
                    }
                });
            }
            WebhookEndpoint updated = new WebhookEndpoint(id, accountId,
                    changes.url() != null ? changes.url() : endpoint.url(),
                    changes.enabledEvents() != null ? List.copyOf(changes.enabledEvents()) : endpoint.enabledEvents(),
                    changes.descriptionGiven() ? changes.description() : endpoint.description(),
                    sorted(metadata),
                    changes.disabled() != null ? !changes.disabled() : endpoint.enabled(),
                    endpoint.createdAt());
            if (updated.metadata().size() > 50) {
                throw new ApiException(ApiError.invalidRequest(io.paymentintents.api.error.ErrorCodes
                        .PARAMETER_INVALID_STRING, "metadata", "Invalid metadata: metadata can have at most 50 keys."));
            }
            jdbc.update("""
                    UPDATE webhook_endpoints SET url = ?, enabled_events = ?::jsonb, description = ?,
                        metadata = ?::jsonb, status = ?
                    WHERE account_id = ? AND id = ?""",
                    updated.url(), json(updated.enabledEvents()), updated.description(), json(updated.metadata()),
                    updated.enabled() ? "enabled" : "disabled", accountId, id);
            return Optional.of(updated);
        });
    }

    /** Deletes the endpoint and, by cascade, its deliveries; false when the account has no such endpoint. */
    public boolean delete(String accountId, String id) {
        return jdbc.update("DELETE FROM webhook_endpoints WHERE account_id = ? AND id = ?", accountId, id) == 1;
    }

    static final RowMapper<WebhookEndpoint> ROW = (rs, i) -> new WebhookEndpoint(rs.getString(1), rs.getString(2),
            rs.getString(3), List.copyOf(read(rs.getString(4), new TypeReference<List<String>>() { })),
            rs.getString(5), sorted(read(rs.getString(6), new TypeReference<Map<String, String>>() { })),
            "enabled".equals(rs.getString(7)), rs.getTimestamp(8).toInstant());

    private static Map<String, String> sorted(Map<String, String> metadata) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(metadata)));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("strings and lists of strings always serialize", e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON column that is not what this table writes", e);
        }
    }
}
