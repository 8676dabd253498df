package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Create + confirm through HTTP against 1 or N nodes sharing one PostgreSQL (started in this JVM, with the settings
 * the service gives its embedded one). Not a test: it asserts only that every pair succeeded. Each request goes to
 * the next node in turn, as a round-robin load balancer would send it, so a create and its confirm usually land on
 * different nodes.
 *
 * <pre>
 * ./mvnw -B -o -q -pl standalone -am test -Dbenchmark=true -Dtest=ScaleOutBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbrowser.install.skip=true \
 *     -Dbenchmark.nodes=3 -Dbenchmark.clients=8 -Dbenchmark.seconds=30
 * </pre>
 *
 * {@code -Dbenchmark.clients=0} measures what idle nodes cost. {@code -Dbenchmark.args="--a=b --c=d"} passes
 * settings to every node. The report goes to standard output and to
 * {@code standalone/target/benchmarks/scale-out-<nodes>.md}.
 *
 * <p>{@code -Dbenchmark.baseline=/path/to/other/checkout} (built there with {@code test-compile}) instead compares
 * one node of that build with one node of this one, each on its own database of one PostgreSQL, every client
 * alternating between the two pair by pair: on a machine whose load changes from minute to minute, both then run
 * under the same load.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class ScaleOutBenchmark {

    private static final String KEY = ServiceCluster.SECRET_KEY;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final int nodes = Integer.getInteger("benchmark.nodes", 1);
    private final int clients = Integer.getInteger("benchmark.clients", 8);
    private final int seconds = Integer.getInteger("benchmark.seconds", 30);
    private final int warmupSeconds = Integer.getInteger("benchmark.warmup", 15);
    private final List<String> extraArguments = Arrays.stream(System.getProperty("benchmark.args", "").split(" "))
            .filter(a -> !a.isBlank()).toList();

    @Test
    @EnabledIfSystemProperty(named = "benchmark.baseline", matches = ".+")
    void baselineAgainstThisBuild() throws Exception {
        Path root = Files.createTempDirectory("scale-out-ab");
        Path project = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        String baselineClasspath = System.getProperty("java.class.path")
                .replace(project.toString(), Path.of(System.getProperty("benchmark.baseline")).toAbsolutePath().toString());
        List<ServiceProcess> both = new ArrayList<>();
        try (var postgres = io.paymentintents.standalone.EmbeddedPostgresConfiguration.start(root.resolve("pg"), 0)) {
            for (String database : List.of("baseline", "current")) {
                try (var connection = postgres.getPostgresDatabase().getConnection()) {
                    connection.createStatement().execute("CREATE DATABASE " + database);
                }
                List<String> arguments = new ArrayList<>(List.of(
                        "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", database),
                        "--spring.datasource.username=postgres"));
                arguments.addAll(extraArguments);
                Path data = Files.createDirectories(root.resolve(database));
                both.add(database.equals("baseline")
                        ? ServiceProcess.launch(data, KEY, baselineClasspath, List.of("-Xmx1g"), arguments)
                        : ServiceProcess.launch(data, KEY, List.of("-Xmx1g"), arguments));
            }
            for (ServiceProcess node : both) {
                node.awaitHealthy(Duration.ofSeconds(180));
            }
            alternate(both, warmupSeconds);
            Result[] results = alternate(both, seconds);
            String report = "baseline " + System.getProperty("benchmark.baseline") + ":\n"
                    + results[0].report(1, clients, seconds, extraArguments) + "\nthis build:\n"
                    + results[1].report(1, clients, seconds, extraArguments);
            System.out.println(report);
            Path out = Path.of("target", "benchmarks");
            Files.createDirectories(out);
            Files.writeString(out.resolve("scale-out-baseline.md"), report);
        } finally {
            for (ServiceProcess node : both) {
                node.close();
            }
            try (var paths = Files.walk(root)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** Every client sends a pair to one node, then one to the other, and so on: both under the same load. */
    private Result[] alternate(List<ServiceProcess> nodes, int duration) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(duration).toNanos();
        Result[] results = {new Result(), new Result()};
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int first = c % 2;
                futures.add(pool.submit(() -> {
                    for (int turn = first; System.nanoTime() < end; turn = 1 - turn) {
                        pair(nodes.get(turn), nodes.get(turn), results[turn]);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return results;
    }

    private static void pair(ServiceProcess first, ServiceProcess second, Result result) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> created = post(first, "/v1/payment_intents",
                "{\"amount\": 2000, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\"}");
        long afterCreate = System.nanoTime();
        if (created.statusCode() != 200) {
            result.fail(created.statusCode());
            return;
        }
        String id = ServiceTest.JSON.readTree(created.body()).get("id").asText();
        HttpResponse<String> confirmed = post(second, "/v1/payment_intents/" + id + "/confirm", "{}");
        long afterConfirm = System.nanoTime();
        JsonNode body = ServiceTest.JSON.readTree(confirmed.body());
        if (confirmed.statusCode() != 200 || !"succeeded".equals(body.path("status").asText())) {
            result.fail(confirmed.statusCode());
            return;
        }
        result.record(afterCreate - start, afterConfirm - afterCreate, afterConfirm - start);
    }

    @Test
    @DisabledIfSystemProperty(named = "benchmark.baseline", matches = ".+")
    void createAndConfirm() throws Exception {
        try (ServiceCluster cluster = ServiceCluster.start(nodes, List.of("-Xmx1g"), extraArguments,
                Duration.ofSeconds(180))) {
            List<ServiceProcess> services = cluster.nodes();
            run(services, warmupSeconds);
            Costs before = costs(cluster);
            Result result = run(services, seconds);
            Costs after = costs(cluster);
            result.costs = after.minus(before);

            String report = result.report(nodes, clients, seconds, extraArguments);
            System.out.println(report);
            Path out = Path.of("target", "benchmarks");
            Files.createDirectories(out);
            Files.writeString(out.resolve("scale-out-" + nodes + ".md"), report);
            assertThat(result.failures).as("failed requests: %s", result.failureStatuses).isZero();
        }
    }

    private Result run(List<ServiceProcess> services, int duration) throws Exception {
        AtomicInteger next = new AtomicInteger();
        long end = System.nanoTime() + Duration.ofSeconds(duration).toNanos();
        Result result = new Result();
        if (clients == 0) {
            Thread.sleep(Duration.ofSeconds(duration).toMillis()); // what the nodes cost when idle
            return result;
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        ServiceProcess first = services.get(Math.floorMod(next.getAndIncrement(), services.size()));
                        ServiceProcess second = services.get(Math.floorMod(next.getAndIncrement(), services.size()));
                        pair(first, second, result);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return result;
    }

    /**
     * What the machine spent, which unlike latency and throughput hardly depends on what else runs on it: CPU time
     * of the nodes and of PostgreSQL's processes, transactions committed and WAL written.
     */
    record Costs(long nodeCpuNanos, long postgresCpuNanos, long commits, long walBytes) {
        Costs minus(Costs earlier) {
            return new Costs(nodeCpuNanos - earlier.nodeCpuNanos, postgresCpuNanos - earlier.postgresCpuNanos,
                    commits - earlier.commits, walBytes - earlier.walBytes);
        }
    }

    private static Costs costs(ServiceCluster cluster) throws Exception {
        long nodes = 0;
        for (ServiceProcess node : cluster.nodes()) {
            nodes += cpu(node.process().toHandle());
        }
        ProcessHandle postgres = cluster.postgresProcess();
        long server = cpu(postgres) + postgres.descendants().mapToLong(ScaleOutBenchmark::cpu).sum();
        try (var connection = cluster.connect(); var rows = connection.createStatement().executeQuery(
                "SELECT (SELECT sum(xact_commit) FROM pg_stat_database), "
                        + "pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
            rows.next();
            return new Costs(nodes, server, rows.getLong(1), rows.getLong(2));
        }
    }

    private static long cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static HttpResponse<String> post(ServiceProcess service, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final class Result {
        private final List<long[]> samples = new ArrayList<>();
        private final AtomicLong failuresCount = new AtomicLong();
        private final Map<Integer, AtomicLong> failureStatuses = new ConcurrentHashMap<>();
        private long failures;
        private Costs costs;

        synchronized void record(long create, long confirm, long pair) {
            samples.add(new long[]{create, confirm, pair});
        }

        void fail(int status) {
            failures = failuresCount.incrementAndGet();
            failureStatuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        }

        synchronized String report(int nodes, int clients, int seconds, List<String> arguments) {
            StringBuilder out = new StringBuilder();
            out.append(String.format("nodes=%d clients=%d seconds=%d args=%s%n", nodes, clients, seconds, arguments));
            out.append(String.format("pairs=%d (%.1f create+confirm pairs/s), failures=%d %s%n", samples.size(),
                    samples.size() / (double) seconds, failures, failureStatuses));
            double pairs = Math.max(1, samples.size());
            if (costs != null) {
                out.append(String.format("per pair: %.1f ms CPU in the nodes, %.1f ms CPU in PostgreSQL, %.1f commits, "
                                + "%.1f kB WAL%n", costs.nodeCpuNanos() / 1e6 / pairs,
                        costs.postgresCpuNanos() / 1e6 / pairs, costs.commits() / pairs,
                        costs.walBytes() / 1024.0 / pairs));
                out.append(String.format("in all: %.0f ms CPU in the nodes, %.0f ms CPU in PostgreSQL, %d commits in "
                                + "%d s%n", costs.nodeCpuNanos() / 1e6, costs.postgresCpuNanos() / 1e6, costs.commits(),
                        seconds));
            }
            out.append("| ms | p50 | p90 | p99 | max |\n|---|---|---|---|---|\n");
            String[] names = {"create", "confirm", "create+confirm"};
            for (int i = 0; i < 3; i++) {
                int column = i;
                long[] values = samples.stream().mapToLong(s -> s[column]).sorted().toArray();
                out.append(String.format("| %s | %.1f | %.1f | %.1f | %.1f |%n", names[i], percentile(values, 50),
                        percentile(values, 90), percentile(values, 99), percentile(values, 100)));
            }
            return out.toString();
        }

        private static double percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
        }
    }
}
