package io.paymentintents.standalone;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Eight nodes starting at once on a new database each run every module's migrations, as their Spring contexts do
 * (each module's Flyway with its own history table, baselined on a schema that is not empty), three times over. With
 * the lock they all start. Without it this fails: a node finds another's history table before its baseline row and
 * gets "Unable to baseline schema history table … as it already exists, and is empty" (seen in a three-node start).
 */
class MigrationLockTest {

    /** Each module's migrations and history table, in the order a node's context runs them. */
    private static final Map<String, String> MODULES = Map.of(
            "db/eventstore", "flyway_history_eventstore", "db/deadlines", "flyway_history_deadlines",
            "db/query", "flyway_history_query", "db/gateway", "flyway_history_gateway",
            "db/cluster", "flyway_history_cluster");

    @Test
    void nodesStartingTogetherOnANewDatabaseAllMigrateIt() throws Exception {
        Path directory = Files.createTempDirectory("migration-lock");
        try (EmbeddedPostgres postgres = EmbeddedPostgresConfiguration.start(directory.resolve("postgres"), 0)) {
            for (int round = 0; round < 3; round++) {
                String database = "fresh_" + round;
                try (var connection = postgres.getPostgresDatabase().getConnection()) {
                    connection.createStatement().execute("CREATE DATABASE " + database);
                }
                startTogether(postgres.getJdbcUrl("postgres", database), 8);
                try (var connection = postgres.getDatabase("postgres", database).getConnection();
                     var rows = connection.createStatement().executeQuery(
                             "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('processor_nodes', "
                                     + "'domain_event_entry', 'token_entry', 'idempotency_keys', 'scheduled_tasks')")) {
                    rows.next();
                    assertThat(rows.getInt(1)).isEqualTo(5);
                }
            }
        } finally {
            try (var paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void startTogether(String jdbcUrl, int nodes) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> started = new ArrayList<>();
        for (int node = 0; node < nodes; node++) {
            started.add(pool.submit(() -> {
                try (HikariDataSource dataSource = new HikariDataSource()) {
                    dataSource.setJdbcUrl(jdbcUrl);
                    dataSource.setUsername("postgres");
                    dataSource.setMaximumPoolSize(3);
                    MigrationLock lock = new MigrationLock();
                    start.await();
                    for (Map.Entry<String, String> module : MODULES.entrySet()) {
                        Flyway flyway = Flyway.configure().dataSource(dataSource)
                                .locations("classpath:" + module.getKey()).table(module.getValue())
                                .baselineOnMigrate(true).baselineVersion("0").load();
                        lock.postProcessBeforeInitialization(flyway, module.getValue());
                        flyway.migrate();
                        lock.postProcessAfterInitialization(flyway, module.getValue());
                    }
                }
                return null;
            }));
        }
        start.countDown();
        try {
            for (Future<?> node : started) {
                node.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
