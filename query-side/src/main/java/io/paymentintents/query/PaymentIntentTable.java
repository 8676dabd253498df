package io.paymentintents.query;

import io.paymentintents.api.secrets.ClientSecrets;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.CancellationReason;
import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentAuthenticated;
import io.paymentintents.api.event.PaymentIntentProcessing;
import io.paymentintents.api.event.PaymentIntentRequiresAction;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentPaymentFailed;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.event.PaymentIntentUpdated;
import io.paymentintents.api.query.ListPaymentIntents;
import io.paymentintents.api.query.PaymentIntentPage;
import io.paymentintents.api.query.PaymentIntentView;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code payment_intents} table. Every write is guarded by {@code version < :sequence}, so an event that was
 * already applied (a batch handled twice after a lost claim, a replay over rows that exist) changes nothing.
 *
 * <p>Reads always go to {@code payment_intents} and {@code payment_intent_charges}. Writes go to the tables this
 * object was made for: those, or the copies a rebuild fills ({@link #writingInto}) before it renames them into
 * place.
 */
@Repository
public class PaymentIntentTable {

    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<Charge>> CHARGES = new TypeReference<>() {
    };

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper json;
    private final ClientSecrets clientSecrets;
    private final RowMapper<PaymentIntentView> rowMapper = this::toView;
    /** Where the projection writes: the intents and the charge index. */
    private final String intents;
    private final String charges;

    @Autowired
    public PaymentIntentTable(NamedParameterJdbcTemplate jdbc, ObjectMapper readModelObjectMapper,
                              ClientSecrets clientSecrets) {
        this(jdbc, readModelObjectMapper, clientSecrets, "payment_intents", "payment_intent_charges");
    }

    private PaymentIntentTable(NamedParameterJdbcTemplate jdbc, ObjectMapper json, ClientSecrets clientSecrets,
                               String intents, String charges) {
        this.jdbc = jdbc;
        this.json = json;
        this.clientSecrets = clientSecrets;
        this.intents = identifier(intents);
        this.charges = identifier(charges);
    }

    /** The same projection writes into other tables of the same shape (a rebuild's); reads are unchanged. */
    PaymentIntentTable writingInto(String intentsTable, String chargesTable) {
        return new PaymentIntentTable(jdbc, json, clientSecrets, intentsTable, chargesTable);
    }

    private static String identifier(String name) {
        if (!name.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a table name: " + name);
        }
        return name;
    }

    boolean insert(PaymentIntentCreated e, long sequence) {
        return jdbc.update("""
                INSERT INTO %s (id, account_id, version, status, amount, currency, customer, description,
                    payment_method, payment_method_types, capture_method, confirmation_method,
                    return_url, metadata, created, created_at, updated_at)
                VALUES (:id, :account, :seq, :status, :amount, :currency, :customer, :description, :pm,
                    CAST(:types AS jsonb), :capture, :confirmation, :returnUrl, CAST(:metadata AS jsonb),
                    :created, :at, :at)
                ON CONFLICT (id) DO NOTHING
                """.formatted(intents), params(e.paymentIntentId(), sequence, e.status(), e.occurredAt())
                .addValue("account", e.accountId())
                .addValue("amount", e.amount())
                .addValue("currency", e.currency())
                .addValue("customer", e.customer())
                .addValue("description", e.description())
                .addValue("pm", e.paymentMethod())
                .addValue("types", write(e.paymentMethodTypes()))
                .addValue("capture", e.captureMethod().wireName())
                .addValue("confirmation", e.confirmationMethod().wireName())
                .addValue("returnUrl", e.returnUrl())
                .addValue("metadata", write(e.metadata()))
                .addValue("created", e.occurredAt().getEpochSecond())) == 1;
    }

    boolean apply(PaymentIntentUpdated e, long sequence) {
        return update("""
                amount = :amount, currency = :currency, customer = :customer, description = :description,
                payment_method = :pm, payment_method_types = CAST(:types AS jsonb), metadata = CAST(:metadata AS jsonb),
                last_payment_error = NULL""", params(e.paymentIntentId(), sequence, e.status(), e.occurredAt())
                .addValue("amount", e.amount())
                .addValue("currency", e.currency())
                .addValue("customer", e.customer())
                .addValue("description", e.description())
                .addValue("pm", e.paymentMethod())
                .addValue("types", write(e.paymentMethodTypes()))
                .addValue("metadata", write(e.metadata())));
    }

    boolean apply(PaymentIntentSucceeded e, long sequence) {
        return update("""
                payment_method = :pm, amount_received = :received, amount_capturable = 0,
                last_payment_error = NULL, """ + UPSERT_CHARGE,
                charge(params(e.paymentIntentId(), sequence, e.status(), e.occurredAt()), e.paymentIntentId(),
                        e.charge(), sequence)
                        .addValue("pm", e.paymentMethod())
                        .addValue("received", e.amountReceived()));
    }

    boolean apply(PaymentIntentAmountCapturableUpdated e, long sequence) {
        return update("""
                payment_method = :pm, amount_capturable = :capturable, last_payment_error = NULL, """
                        + UPSERT_CHARGE,
                charge(params(e.paymentIntentId(), sequence, e.status(), e.occurredAt()), e.paymentIntentId(),
                        e.charge(), sequence)
                        .addValue("pm", e.paymentMethod())
                        .addValue("capturable", e.amountCapturable()));
    }

    boolean apply(PaymentIntentRequiresAction e, long sequence) {
        return update("payment_method = :pm, return_url = :returnUrl, last_payment_error = NULL",
                params(e.paymentIntentId(), sequence, e.status(), e.occurredAt())
                        .addValue("pm", e.paymentMethod())
                        .addValue("returnUrl", e.returnUrl()));
    }

    boolean apply(PaymentIntentAuthenticated e, long sequence) {
        return update("payment_method = :pm", params(e.paymentIntentId(), sequence, e.status(), e.occurredAt())
                .addValue("pm", e.paymentMethod()));
    }

    boolean apply(PaymentIntentProcessing e, long sequence) {
        return update("payment_method = :pm, last_payment_error = NULL, " + UPSERT_CHARGE,
                charge(params(e.paymentIntentId(), sequence, e.status(), e.occurredAt()), e.paymentIntentId(),
                        e.charge(), sequence)
                        .addValue("pm", e.paymentMethod()));
    }

    boolean apply(PaymentIntentPaymentFailed e, long sequence) {
        return update("""
                payment_method = NULL, last_payment_error = CAST(:error AS jsonb)""" + (e.charge() == null ? ""
                        : ", " + UPSERT_CHARGE),
                charge(params(e.paymentIntentId(), sequence, e.status(), e.occurredAt()), e.paymentIntentId(),
                        e.charge(), sequence)
                        .addValue("error", write(e.error())));
    }

    boolean apply(PaymentIntentCaptured e, long sequence) {
        return update("amount_received = :received, amount_capturable = 0, " + REPLACE_CHARGE,
                params(e.paymentIntentId(), sequence, e.status(), e.occurredAt())
                        .addValue("received", e.amountCaptured())
                        .addValue("chargeId", e.charge().id())
                        .addValue("charge", write(e.charge())));
    }

    boolean apply(PaymentIntentCanceled e, long sequence) {
        MapSqlParameterSource params = params(e.paymentIntentId(), sequence, e.status(), e.occurredAt())
                .addValue("reason", e.cancellationReason() == null ? null : e.cancellationReason().wireName())
                .addValue("at", Timestamp.from(e.occurredAt()));
        String set = "cancellation_reason = :reason, canceled_at = :at, amount_capturable = 0";
        if (e.charge() != null) {
            set += ", " + REPLACE_CHARGE;
            params.addValue("chargeId", e.charge().id()).addValue("charge", write(e.charge()));
        }
        return update(set, params);
    }

    /**
     * Records a charge: replaces the one with the same id (a pending attempt that is now decided), else appends it.
     * The charge index row is written first, so that {@code GET /v1/charges/{id}} finds every charge the intent
     * shows; it is guarded by the same version check as the intent's row.
     */
    private static final String UPSERT_CHARGE = """
            charges = CASE WHEN jsonb_path_exists(charges, '$[*] ? (@.id == $id)', jsonb_build_object('id', CAST(:chargeId AS text)))
                           THEN (SELECT jsonb_agg(CASE WHEN c ->> 'id' = :chargeId THEN CAST(:charge AS jsonb) ELSE c END
                                                  ORDER BY position)
                                 FROM jsonb_array_elements(charges) WITH ORDINALITY AS attempts(c, position))
                           ELSE charges || jsonb_build_array(CAST(:charge AS jsonb)) END""";

    private MapSqlParameterSource charge(MapSqlParameterSource params, String paymentIntentId, Charge charge,
                                         long sequence) {
        if (charge == null) {
            return params;
        }
        jdbc.update("""
                INSERT INTO %s (charge_id, payment_intent_id, account_id)
                SELECT :chargeId, id, account_id FROM %s WHERE id = :id AND version < :seq
                ON CONFLICT (charge_id) DO NOTHING""".formatted(charges, intents),
                new MapSqlParameterSource("chargeId", charge.id()).addValue("id", paymentIntentId)
                        .addValue("seq", sequence));
        return params.addValue("chargeId", charge.id()).addValue("charge", write(charge));
    }

    /** Replaces the charge with the same id, keeping the order of attempts. */
    private static final String REPLACE_CHARGE = """
            charges = (SELECT coalesce(jsonb_agg(CASE WHEN c ->> 'id' = :chargeId THEN CAST(:charge AS jsonb) ELSE c END
                                                 ORDER BY position), '[]'::jsonb)
                       FROM jsonb_array_elements(charges) WITH ORDINALITY AS attempts(c, position))""";

    void deleteAll() {
        jdbc.getJdbcTemplate().update("DELETE FROM " + charges);
        jdbc.getJdbcTemplate().update("DELETE FROM " + intents);
    }

    public Optional<PaymentIntentView> find(String accountId, String id) {
        return jdbc.query("SELECT * FROM payment_intents WHERE id = :id AND account_id = :account",
                        new MapSqlParameterSource("id", id).addValue("account", accountId), rowMapper)
                .stream().findFirst();
    }

    /** The intent of {@code accountId} holding the charge {@code chargeId}. */
    public Optional<PaymentIntentView> findByCharge(String accountId, String chargeId) {
        return jdbc.query("""
                        SELECT p.* FROM payment_intent_charges c JOIN payment_intents p ON p.id = c.payment_intent_id
                        WHERE c.charge_id = :charge AND c.account_id = :account""",
                new MapSqlParameterSource("charge", chargeId).addValue("account", accountId), rowMapper)
                .stream().findFirst();
    }

    /** Intents selected by a {@code SELECT * FROM payment_intents ...} of the caller's, mapped as every read is. */
    public List<PaymentIntentView> query(String sql, MapSqlParameterSource params) {
        return jdbc.query(sql, params, rowMapper);
    }

    public Optional<PaymentIntentView> findById(String id) {
        return jdbc.query("SELECT * FROM payment_intents WHERE id = :id", new MapSqlParameterSource("id", id),
                rowMapper).stream().findFirst();
    }

    /**
     * Keyset pagination over (created, id): a cursor is a position, not an offset, so intents sharing one second
     * are neither skipped nor repeated, and intents created while a client pages do not shift the pages.
     */
    public PaymentIntentPage list(ListPaymentIntents query) {
        MapSqlParameterSource params = new MapSqlParameterSource("account", query.accountId())
                .addValue("limit", query.limit() + 1);
        StringBuilder where = new StringBuilder("account_id = :account");
        if (query.customer() != null) {
            where.append(" AND customer = :customer");
            params.addValue("customer", query.customer());
        }
        if (query.status() != null) {
            where.append(" AND status = :status");
            params.addValue("status", query.status().wireName());
        }
        KeysetPages.createdRange(where, params, query.createdGt(), query.createdGte(), query.createdLt(),
                query.createdLte());

        String cursorId = query.startingAfter() != null ? query.startingAfter() : query.endingBefore();
        boolean backwards = query.endingBefore() != null;
        if (cursorId != null) {
            List<Long> cursorCreated = jdbc.queryForList(
                    "SELECT created FROM payment_intents WHERE id = :id AND account_id = :account",
                    new MapSqlParameterSource("id", cursorId).addValue("account", query.accountId()), Long.class);
            if (cursorCreated.isEmpty()) {
                return new PaymentIntentPage(List.of(), false, false);
            }
            where.append(backwards ? " AND (created, id) > (:cursorCreated, :cursorId)"
                    : " AND (created, id) < (:cursorCreated, :cursorId)");
            params.addValue("cursorCreated", cursorCreated.get(0)).addValue("cursorId", cursorId);
        }
        String order = backwards ? "created ASC, id ASC" : "created DESC, id DESC";
        List<PaymentIntentView> rows = new ArrayList<>(jdbc.query(
                "SELECT * FROM payment_intents WHERE " + where + " ORDER BY " + order + " LIMIT :limit",
                params, rowMapper));
        boolean hasMore = KeysetPages.cut(rows, query.limit(), backwards);
        return new PaymentIntentPage(List.copyOf(rows), hasMore, true);
    }

    private boolean update(String assignments, MapSqlParameterSource params) {
        return jdbc.update("UPDATE " + intents + " SET " + assignments
                + ", version = :seq, status = :status, updated_at = :at WHERE id = :id AND version < :seq",
                params) == 1;
    }

    private static MapSqlParameterSource params(String id, long sequence, PaymentIntentStatus status, Instant at) {
        return new MapSqlParameterSource("id", id)
                .addValue("seq", sequence)
                .addValue("status", status.wireName())
                .addValue("at", Timestamp.from(at));
    }

    private PaymentIntentView toView(ResultSet rs, int row) throws SQLException {
        Timestamp canceledAt = rs.getTimestamp("canceled_at");
        String reason = rs.getString("cancellation_reason");
        String error = rs.getString("last_payment_error");
        return new PaymentIntentView(
                rs.getString("id"),
                rs.getString("account_id"),
                rs.getLong("version"),
                PaymentIntentStatus.fromWireName(rs.getString("status")).orElseThrow(),
                rs.getLong("amount"),
                rs.getString("currency"),
                rs.getLong("amount_capturable"),
                rs.getLong("amount_received"),
                rs.getString("customer"),
                rs.getString("description"),
                rs.getString("payment_method"),
                read(rs.getString("payment_method_types"), STRING_LIST),
                CaptureMethod.valueOf(rs.getString("capture_method").toUpperCase(java.util.Locale.ROOT)),
                ConfirmationMethod.valueOf(rs.getString("confirmation_method").toUpperCase(java.util.Locale.ROOT)),
                clientSecrets.of(rs.getString("id")),
                rs.getString("return_url"),
                read(rs.getString("metadata"), STRING_MAP),
                read(rs.getString("charges"), CHARGES),
                error == null ? null : read(error, new TypeReference<PaymentError>() {
                }),
                reason == null ? null : CancellationReason.valueOf(reason.toUpperCase(java.util.Locale.ROOT)),
                canceledAt == null ? null : canceledAt.toInstant(),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    private <T> T read(String value, TypeReference<T> type) {
        try {
            return json.readValue(value, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt JSON in payment_intents: " + value, e);
        }
    }
}
