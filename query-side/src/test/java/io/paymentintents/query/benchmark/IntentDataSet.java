package io.paymentintents.query.benchmark;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One million intents written straight into {@code payment_intents} by set-based SQL: no events, no projection, so
 * loading takes a minute rather than hours. The rows have the shapes the projection writes (the JSON columns are
 * what {@code PaymentIntentTable} serializes and reads back), and the indexes of the migrations are in place while
 * the rows go in, so they grow the way they grow in production (page splits included), not as a bulk build would.
 *
 * <p>The distributions are deterministic ({@code setseed}, serial plan):
 * <ul>
 *     <li>rows are inserted in creation order, and accounts interleave in time: row {@code g} belongs to
 *     {@value #LARGE} when {@code g % 100 < 90}, to {@value #MEDIUM} when {@code < 99}, else to {@value #SMALL}:
 *     exactly 900,000 / 90,000 / 10,000 rows;</li>
 *     <li>{@code created}: 345,000 candidate seconds {@value #SECOND_SPACING} s apart from 2025-01-01T00:00:00Z,
 *     each holding a burst of 1 + floor(Exp(mean 2.5)) intents (mean ~3, bursts of 20+ occur), cut at one million
 *     rows: about 362 days, most intents share their second with others;</li>
 *     <li>status: succeeded 78 %, canceled 7 %, requires_payment_method 8 %, requires_capture 3 %,
 *     requires_confirmation 2 %, requires_action 1.5 %, processing 0.5 %;</li>
 *     <li>amount: log-normal around 3,000 (median), sigma 1.6, clamped to 50..99,999,999: skewed small, about one
 *     in five above 10,000;</li>
 *     <li>currency: usd 70 %, eur 20 %, gbp 10 %;</li>
 *     <li>customer: 12 % none (guest checkout); otherwise one of 20,000 customers, each account its own
 *     ({@value #LARGE} 18,000, {@value #MEDIUM} 1,800, {@value #SMALL} 200), skewed: the pool index is
 *     floor(pool * u^2), so a few customers have thousands of intents and the median one a few dozen;</li>
 *     <li>metadata: {@code order_id} unique per row ({@code ord_00000001}...), {@code channel} web 55 %, ios 25 %,
 *     android 15 %, pos 5 %;</li>
 *     <li>succeeded and requires_capture intents carry one charge; 40 % of requires_payment_method carry a
 *     last_payment_error; canceled ones a cancellation reason and canceled_at.</li>
 * </ul>
 */
final class IntentDataSet {

    static final String LARGE = "acct_bench_large";
    static final String MEDIUM = "acct_bench_medium";
    static final String SMALL = "acct_bench_small";
    static final long FIRST_SECOND = 1_735_689_600L; // 2025-01-01T00:00:00Z
    static final int SECOND_SPACING = 95;
    static final int ROWS = 1_000_000;

    private static final String INSERT = """
            INSERT INTO payment_intents (id, account_id, version, status, amount, currency, amount_capturable,
                amount_received, customer, description, payment_method, payment_method_types, capture_method,
                confirmation_method, return_url, metadata, charges, last_payment_error,
                cancellation_reason, canceled_at, created, created_at, updated_at)
            WITH seconds AS (
                SELECT s, 1 + floor(-ln(1 - random()) * 2.5)::int AS burst
                FROM generate_series(0, 344999) AS s
            ), slots AS (
                SELECT s, row_number() OVER (ORDER BY s, k) AS g
                FROM seconds CROSS JOIN LATERAL generate_series(1, seconds.burst) AS k
            ), draws AS (
                SELECT g, %1$d + s * %2$d AS created,
                       CASE WHEN g %% 100 < 90 THEN '%3$s' WHEN g %% 100 < 99 THEN '%4$s' ELSE '%5$s' END AS account_id,
                       CASE WHEN g %% 100 < 90 THEN 0 WHEN g %% 100 < 99 THEN 18000 ELSE 19800 END AS customer_offset,
                       CASE WHEN g %% 100 < 90 THEN 18000 WHEN g %% 100 < 99 THEN 1800 ELSE 200 END AS customer_pool,
                       random() AS r_status, random() AS r_customer, random() AS r_guest, 1 - random() AS u1,
                       random() AS u2, random() AS r_currency, random() AS r_channel, random() AS r_misc,
                       random() AS r_subsecond
                FROM slots
                WHERE g <= %6$d
            ), shaped AS (
                SELECT d.*,
                       'pi_' || substr(md5('pi' || g), 1, 24) AS id,
                       CASE WHEN r_status < 0.78 THEN 'succeeded'
                            WHEN r_status < 0.85 THEN 'canceled'
                            WHEN r_status < 0.93 THEN 'requires_payment_method'
                            WHEN r_status < 0.96 THEN 'requires_capture'
                            WHEN r_status < 0.98 THEN 'requires_confirmation'
                            WHEN r_status < 0.995 THEN 'requires_action'
                            ELSE 'processing' END AS status,
                       greatest(50, least(99999999,
                           round(exp(ln(3000) + 1.6 * sqrt(-2 * ln(u1)) * cos(2 * pi() * u2)))))::bigint AS amount,
                       CASE WHEN r_currency < 0.70 THEN 'usd' WHEN r_currency < 0.90 THEN 'eur' ELSE 'gbp' END
                           AS currency,
                       CASE WHEN r_guest < 0.12 THEN NULL
                            ELSE 'cus_' || substr(md5('cus' || (customer_offset
                                + floor(customer_pool * r_customer * r_customer)::int)), 1, 14) END AS customer,
                       to_timestamp(created + r_subsecond * 0.999) AS created_at,
                       CASE WHEN r_channel < 0.55 THEN 'web' WHEN r_channel < 0.80 THEN 'ios'
                            WHEN r_channel < 0.95 THEN 'android' ELSE 'pos' END AS channel,
                       (ARRAY['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex', 'pm_card_visa_debit'])
                           [1 + floor(r_misc * 4)::int] AS card
                FROM draws d
            )
            SELECT id, account_id,
                   CASE status WHEN 'succeeded' THEN 3 WHEN 'canceled' THEN 2 WHEN 'requires_capture' THEN 3
                               WHEN 'requires_payment_method' THEN 1 ELSE 2 END,
                   status, amount, currency,
                   CASE WHEN status = 'requires_capture' THEN amount ELSE 0 END,
                   CASE WHEN status = 'succeeded' THEN amount ELSE 0 END,
                   customer,
                   CASE WHEN r_misc < 0.3 THEN 'Order ' || lpad(g::text, 8, '0') END,
                   CASE WHEN status IN ('succeeded', 'requires_capture', 'processing', 'requires_action',
                                        'requires_confirmation') THEN card END,
                   '["card"]'::jsonb,
                   CASE WHEN status = 'requires_capture' THEN 'manual' ELSE 'automatic' END,
                   'automatic',
                   CASE WHEN r_misc > 0.9 THEN 'https://shop.example/return' END,
                   jsonb_build_object('order_id', 'ord_' || lpad(g::text, 8, '0'), 'channel', channel),
                   CASE WHEN status IN ('succeeded', 'requires_capture') THEN jsonb_build_array(jsonb_build_object(
                       'id', 'ch_' || substr(md5('ch' || g), 1, 24),
                       'amount', amount,
                       'amountCaptured', CASE WHEN status = 'succeeded' THEN amount ELSE 0 END,
                       'amountRefunded', 0,
                       'currency', currency,
                       'captured', status = 'succeeded',
                       'status', 'succeeded',
                       'paymentMethod', card,
                       'paymentMethodType', 'card',
                       'failureCode', NULL, 'failureMessage', NULL, 'declineCode', NULL,
                       'outcomeType', 'authorized',
                       'sellerMessage', 'Payment complete.',
                       'created', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
                   ELSE '[]'::jsonb END,
                   CASE WHEN status = 'requires_payment_method' AND r_misc < 0.4 THEN jsonb_build_object(
                       'type', 'card_error', 'code', 'card_declined', 'declineCode', 'insufficient_funds',
                       'message', 'Your card has insufficient funds.',
                       'paymentMethod', 'pm_card_chargeDeclinedInsufficientFunds', 'paymentMethodType', 'card',
                       'chargeId', NULL) END,
                   CASE WHEN status = 'canceled' THEN (ARRAY['requested_by_customer', 'abandoned', 'duplicate',
                       'fraudulent', 'automatic'])[1 + floor(r_misc * 5)::int] END,
                   CASE WHEN status = 'canceled' THEN created_at + interval '1 hour' * (1 + r_misc * 24) END,
                   created, created_at, created_at + interval '1 second' * (1 + floor(r_misc * 30))
            FROM shaped
            ORDER BY g
            """.formatted(FIRST_SECOND, SECOND_SPACING, LARGE, MEDIUM, SMALL, ROWS);

    private IntentDataSet() {
    }

    /** Inserts the rows on {@code connection} (autocommit, a session of its own); returns the row count. */
    static long insert(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // a serial plan, so that setseed makes every random() call, and so the data, the same on every run
            statement.execute("SET max_parallel_workers_per_gather = 0");
            // zonky's server runs with synchronous_commit=off; after an asynchronous commit VACUUM may not set hint
            // bits, so leaves pages not all-visible (seen: 10-40 % of them) and index-only scans visit the heap.
            // The application's server commits synchronously; so does the load.
            statement.execute("SET synchronous_commit = on");
            statement.execute("SELECT setseed(0.20250101)");
            long rows = statement.executeLargeUpdate(INSERT);
            statement.execute("RESET max_parallel_workers_per_gather");
            statement.execute("RESET synchronous_commit");
            return rows;
        }
    }

    /** VACUUM (VERBOSE, ANALYZE); returns the server's VERBOSE report. */
    static String vacuumAnalyze(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("VACUUM (VERBOSE, ANALYZE) payment_intents");
            StringBuilder verbose = new StringBuilder();
            for (java.sql.SQLWarning w = statement.getWarnings(); w != null; w = w.getNextWarning()) {
                verbose.append(w.getMessage()).append('\n');
            }
            return verbose.toString();
        }
    }
}
