package io.paymentintents.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.events.ListStripeEvents;
import io.paymentintents.api.events.StripeEventPage;
import io.paymentintents.api.events.StripeEventRecord;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.api.secrets.ClientSecrets;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code stripe_events} and the fold state behind it, {@code stripe_event_intents}. Views are stored without their
 * client secret, which is derived from the id again when read, as {@link PaymentIntentTable} does.
 */
@Repository
public class StripeEventTable {

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper json;
    private final ClientSecrets clientSecrets;
    private final RowMapper<StripeEventRecord> rowMapper = this::toRecord;

    public StripeEventTable(NamedParameterJdbcTemplate jdbc, ObjectMapper readModelObjectMapper,
                            ClientSecrets clientSecrets) {
        this.jdbc = jdbc;
        this.json = readModelObjectMapper.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.clientSecrets = clientSecrets;
    }

    /** The intent as of the last event the processor applied to it. */
    Optional<PaymentIntentView> state(String paymentIntentId) {
        return jdbc.query("SELECT view FROM stripe_event_intents WHERE id = :id",
                new MapSqlParameterSource("id", paymentIntentId),
                (rs, row) -> readView(rs.getString("view"))).stream().findFirst();
    }

    /** Stores the fold state, unless a later (or the same) event was applied already. */
    void saveState(PaymentIntentView view) {
        jdbc.update("""
                INSERT INTO stripe_event_intents (id, version, view) VALUES (:id, :version, CAST(:view AS jsonb))
                ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, view = EXCLUDED.view
                WHERE stripe_event_intents.version < EXCLUDED.version""",
                new MapSqlParameterSource("id", view.id())
                        .addValue("version", view.version())
                        .addValue("view", writeView(view)));
    }

    /** Records an event once: a second delivery (same id, or same intent and sequence) changes nothing. */
    void insert(StripeEventRecord event) {
        jdbc.update("""
                INSERT INTO stripe_events (id, account_id, type, created, position, payment_intent_id, sequence,
                    object, previous, request_id, idempotency_key)
                VALUES (:id, :account, :type, :created, :position, :intent, :sequence, CAST(:object AS jsonb),
                    CAST(:previous AS jsonb), :requestId, :idempotencyKey)
                ON CONFLICT DO NOTHING""", new MapSqlParameterSource("id", event.id())
                .addValue("account", event.accountId())
                .addValue("type", event.type())
                .addValue("created", event.created())
                .addValue("position", event.position())
                .addValue("intent", event.paymentIntentId())
                .addValue("sequence", event.sequence())
                .addValue("object", writeView(event.object()))
                .addValue("previous", event.previous() == null ? null : writeView(event.previous()))
                .addValue("requestId", event.requestId())
                .addValue("idempotencyKey", event.idempotencyKey()));
    }

    void deleteAll() {
        jdbc.getJdbcTemplate().update("DELETE FROM stripe_events");
        jdbc.getJdbcTemplate().update("DELETE FROM stripe_event_intents");
    }

    public Optional<StripeEventRecord> find(String accountId, String eventId) {
        return jdbc.query("SELECT * FROM stripe_events WHERE id = :id AND account_id = :account",
                new MapSqlParameterSource("id", eventId).addValue("account", accountId), rowMapper)
                .stream().findFirst();
    }

    /**
     * Keyset pagination over the event store's order: a cursor is the position of an event of the account, so
     * events recorded while a client pages do not shift the pages. A cursor that is not the account's event gives
     * an empty page (the gateway checks cursors first).
     */
    public StripeEventPage list(ListStripeEvents query) {
        MapSqlParameterSource params = new MapSqlParameterSource("account", query.accountId())
                .addValue("limit", query.limit() + 1);
        StringBuilder where = new StringBuilder("account_id = :account");
        if (!query.types().isEmpty()) {
            List<String> alternatives = new ArrayList<>();
            for (int i = 0; i < query.types().size(); i++) {
                String type = query.types().get(i);
                if (type.contains("*")) {
                    alternatives.add("type LIKE :type" + i + " ESCAPE '\\'");
                    params.addValue("type" + i, likePattern(type));
                } else {
                    alternatives.add("type = :type" + i);
                    params.addValue("type" + i, type);
                }
            }
            where.append(" AND (").append(String.join(" OR ", alternatives)).append(")");
        }
        KeysetPages.createdRange(where, params, query.createdGt(), query.createdGte(), query.createdLt(),
                query.createdLte());

        String cursorId = query.startingAfter() != null ? query.startingAfter() : query.endingBefore();
        boolean backwards = query.endingBefore() != null;
        if (cursorId != null) {
            List<Long> cursor = jdbc.queryForList(
                    "SELECT position FROM stripe_events WHERE id = :id AND account_id = :account",
                    new MapSqlParameterSource("id", cursorId).addValue("account", query.accountId()), Long.class);
            if (cursor.isEmpty()) {
                return new StripeEventPage(List.of(), false);
            }
            where.append(backwards ? " AND position > :cursor" : " AND position < :cursor");
            params.addValue("cursor", cursor.get(0));
        }
        List<StripeEventRecord> rows = new ArrayList<>(jdbc.query("SELECT * FROM stripe_events WHERE " + where
                + " ORDER BY position " + (backwards ? "ASC" : "DESC") + " LIMIT :limit", params, rowMapper));
        boolean hasMore = KeysetPages.cut(rows, query.limit(), backwards);
        return new StripeEventPage(List.copyOf(rows), hasMore);
    }

    /** Stripe's {@code *} wildcard as a LIKE pattern; every other character matches itself. */
    static String likePattern(String type) {
        return type.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('*', '%');
    }

    private StripeEventRecord toRecord(ResultSet rs, int row) throws SQLException {
        String previous = rs.getString("previous");
        return new StripeEventRecord(rs.getString("id"), rs.getString("account_id"), rs.getString("type"),
                rs.getLong("created"), rs.getLong("position"), rs.getString("payment_intent_id"),
                rs.getLong("sequence"), readView(rs.getString("object")),
                previous == null ? null : readView(previous), rs.getString("request_id"),
                rs.getString("idempotency_key"));
    }

    private String writeView(PaymentIntentView v) {
        PaymentIntentView withoutSecret = new PaymentIntentView(v.id(), v.accountId(), v.version(), v.status(),
                v.amount(), v.currency(), v.amountCapturable(), v.amountReceived(), v.customer(), v.description(),
                v.paymentMethod(), v.paymentMethodTypes(), v.captureMethod(), v.confirmationMethod(), null,
                v.returnUrl(), v.metadata(), v.charges(), v.lastPaymentError(), v.cancellationReason(),
                v.canceledAt(), v.createdAt(), v.updatedAt());
        try {
            return json.writeValueAsString(withoutSecret);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the view of " + v.id(), e);
        }
    }

    private PaymentIntentView readView(String value) {
        PaymentIntentView v;
        try {
            v = json.readValue(value, PaymentIntentView.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON in the events read model: " + value, e);
        }
        return new PaymentIntentView(v.id(), v.accountId(), v.version(), v.status(), v.amount(), v.currency(),
                v.amountCapturable(), v.amountReceived(), v.customer(), v.description(), v.paymentMethod(),
                v.paymentMethodTypes(), v.captureMethod(), v.confirmationMethod(), clientSecrets.of(v.id()),
                v.returnUrl(), v.metadata(), v.charges(), v.lastPaymentError(), v.cancellationReason(),
                v.canceledAt(), v.createdAt(), v.updatedAt());
    }
}
