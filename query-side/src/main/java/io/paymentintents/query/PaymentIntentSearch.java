package io.paymentintents.query;

import io.paymentintents.api.query.PaymentIntentSearchResult;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.api.query.SearchCursor;
import io.paymentintents.api.query.SearchPaymentIntents;
import io.paymentintents.api.query.SearchQuery;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Answers {@link SearchPaymentIntents} from the {@code payment_intents} read model, the table the write responses
 * wait on, so an intent is searchable as soon as its create (or update) has answered.
 *
 * <p>The query tree becomes a WHERE clause whose every value is a bind parameter: client text reaches the SQL only
 * as data. Fields map to columns here and nowhere else. Each clause is two-valued (never SQL NULL), so a negation
 * matches exactly the intents its clause does not; in particular {@code -customer:"cus_1"} matches intents without a
 * customer, as Stripe's does.
 */
@Component
public class PaymentIntentSearch {

    private static final String ORDER = " ORDER BY created DESC, id DESC";
    private static final int MAX_LIMIT = 100;

    /** The largest total_count reported; beyond it the count reads 10000. */
    static final int TOTAL_COUNT_CAP = 10_000;

    private final NamedParameterJdbcTemplate jdbc;
    private final PaymentIntentTable table;
    private final TransactionTemplate snapshot;

    public PaymentIntentSearch(NamedParameterJdbcTemplate jdbc, PaymentIntentTable table,
                               ObjectProvider<PlatformTransactionManager> transactionManager) {
        this.jdbc = jdbc;
        this.table = table;
        PlatformTransactionManager manager = transactionManager.getIfUnique();
        if (manager == null) {
            this.snapshot = null;
        } else {
            // The page and total_count are read in one snapshot, so that they agree with each other.
            this.snapshot = new TransactionTemplate(manager);
            this.snapshot.setReadOnly(true);
            this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        }
    }

    @QueryHandler
    public PaymentIntentSearchResult search(SearchPaymentIntents query) {
        if (query.limit() < 1 || query.limit() > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ": " + query.limit());
        }
        SearchCursor cursor = query.page() == null ? null : SearchCursor.decode(query.page())
                .orElseThrow(() -> new IllegalArgumentException("not a search page cursor: " + query.page()));
        MapSqlParameterSource params = new MapSqlParameterSource("account", query.accountId());
        String matches = "account_id = :account AND " + predicate(query.query(), params);
        return inSnapshot(() -> page(matches, params, cursor, query.limit()));
    }

    private PaymentIntentSearchResult page(String matches, MapSqlParameterSource params, SearchCursor cursor,
                                           int limit) {
        String where = matches;
        if (cursor != null) {
            where += " AND (created, id) < (:cursorCreated, :cursorId)";
            params.addValue("cursorCreated", cursor.created()).addValue("cursorId", cursor.id());
        }
        params.addValue("limit", limit + 1);
        List<PaymentIntentView> rows = new ArrayList<>(table.query(
                "SELECT * FROM payment_intents WHERE " + where + ORDER + " LIMIT :limit", params));
        boolean hasMore = KeysetPages.cut(rows, limit, false);
        // Counted up to a cap, as Stripe's total_count is "only accurate up to 10,000": an exact count of a broad
        // match over a large account costs hundreds of milliseconds (docs/benchmarks.md), a capped one a few.
        long total = jdbc.queryForObject("SELECT count(*) FROM (SELECT 1 FROM payment_intents WHERE " + matches
                + " LIMIT " + TOTAL_COUNT_CAP + ") AS capped", params, Long.class);
        String nextPage = null;
        if (hasMore) {
            PaymentIntentView last = rows.get(rows.size() - 1);
            nextPage = new SearchCursor(last.createdAt().getEpochSecond(), last.id()).encode();
        }
        return new PaymentIntentSearchResult(rows, hasMore, nextPage, total);
    }

    private <T> T inSnapshot(Supplier<T> work) {
        return snapshot == null ? work.get() : snapshot.execute(status -> work.get());
    }

    /** SQL for a query tree; adds the values it needs to {@code params} as {@code :v0, :v1, ...}. */
    static String predicate(SearchQuery query, MapSqlParameterSource params) {
        if (query instanceof SearchQuery.Clause clause) {
            return clause(clause, params);
        }
        if (query instanceof SearchQuery.Not not) {
            return "NOT " + predicate(not.query(), params);
        }
        if (query instanceof SearchQuery.And and) {
            return join(and.queries(), " AND ", params);
        }
        if (query instanceof SearchQuery.Or or) {
            return join(or.queries(), " OR ", params);
        }
        throw new IllegalArgumentException("unknown query " + query);
    }

    private static String join(List<SearchQuery> queries, String operator, MapSqlParameterSource params) {
        List<String> parts = new ArrayList<>(queries.size());
        for (SearchQuery query : queries) {
            parts.add(predicate(query, params));
        }
        return "(" + String.join(operator, parts) + ")";
    }

    private static String clause(SearchQuery.Clause clause, MapSqlParameterSource params) {
        String value = bind(params, clause.field().numeric() || clause.value() == null ? null : clause.value());
        return switch (clause.field()) {
            // status and currency are stored lower-case, so the comparison can use their indexes
            case STATUS -> clause.value() == null ? "FALSE" : "(status = lower(CAST(" + value + " AS text)))";
            case CURRENCY -> clause.value() == null ? "FALSE" : "(currency = lower(CAST(" + value + " AS text)))";
            // "x IS NOT NULL AND ..." rather than coalesce(...): the same truth under negation, and indexable
            case CUSTOMER -> clause.value() == null ? "(customer IS NULL)"
                    : "(customer IS NOT NULL AND lower(customer) = lower(CAST(" + value + " AS text)))";
            case METADATA -> {
                String key = bind(params, clause.metadataKey());
                yield clause.value() == null ? "((metadata -> CAST(" + key + " AS text)) IS NULL)"
                        // the containment finds candidates through the GIN index of V3; both agree exactly
                        : "(metadata_lower @> jsonb_build_object(CAST(" + key + " AS text), lower(CAST("
                        + value + " AS text))))";
            }
            case AMOUNT -> numeric("amount", clause, params);
            case CREATED -> numeric("created", clause, params);
        };
    }

    private static String numeric(String column, SearchQuery.Clause clause, MapSqlParameterSource params) {
        if (clause.value() == null) {
            return "FALSE"; // amount and created are never absent
        }
        String operator = switch (clause.operator()) {
            case EQUALS -> "=";
            case GREATER_THAN -> ">";
            case GREATER_THAN_OR_EQUAL -> ">=";
            case LESS_THAN -> "<";
            case LESS_THAN_OR_EQUAL -> "<=";
        };
        return "(" + column + " " + operator + " " + bind(params, clause.number()) + ")";
    }

    private static String bind(MapSqlParameterSource params, Object value) {
        if (value == null) {
            return null;
        }
        String name = "v" + params.getParameterNames().length;
        params.addValue(name, value);
        return ":" + name;
    }
}
