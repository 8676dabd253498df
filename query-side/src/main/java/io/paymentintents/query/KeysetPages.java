package io.paymentintents.query;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

import java.util.Collections;
import java.util.List;

/** What the keyset-paged lists (intents, events) share: the {@code created[...]} filter and cutting the page. */
final class KeysetPages {

    private KeysetPages() {
    }

    /** Appends those of Stripe's {@code created[gt|gte|lt|lte]} bounds that are set, on the {@code created} column. */
    static void createdRange(StringBuilder where, MapSqlParameterSource params, Long gt, Long gte, Long lt, Long lte) {
        bound(where, params, "createdGt", ">", gt);
        bound(where, params, "createdGte", ">=", gte);
        bound(where, params, "createdLt", "<", lt);
        bound(where, params, "createdLte", "<=", lte);
    }

    private static void bound(StringBuilder where, MapSqlParameterSource params, String name, String operator,
                              Long value) {
        if (value != null) {
            where.append(" AND created ").append(operator).append(" :").append(name);
            params.addValue(name, value);
        }
    }

    /**
     * Cuts a page read with {@code LIMIT limit + 1} to {@code limit} rows and puts a backwards page (read in ascending
     * order from an {@code ending_before} cursor) back into the list's descending order.
     *
     * @return whether there are more rows beyond the page
     */
    static <T> boolean cut(List<T> rows, int limit, boolean backwards) {
        boolean hasMore = rows.size() > limit;
        if (hasMore) {
            rows.remove(rows.size() - 1);
        }
        if (backwards) {
            Collections.reverse(rows);
        }
        return hasMore;
    }
}
