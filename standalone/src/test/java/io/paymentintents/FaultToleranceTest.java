package io.paymentintents;

import io.paymentintents.benchmark.Consistency;
import io.paymentintents.benchmark.FaultLoad;
import io.paymentintents.benchmark.GapHold;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short form of {@code bench/run-faults.sh} (docs/benchmarks.md, "Faults"), on the embedded PostgreSQL: keyed
 * clients keep creating, confirming and capturing, retrying every POST with its Idempotency-Key until it is answered,
 * while the service is killed ({@code kill -9}, no shutdown at all) at random moments and started again; then
 * event-store transactions are held open across the processor's gap timeout. Afterwards every acknowledged write is
 * in the event store exactly once, nothing was paid twice, no event was skipped, and the read model is the fold of
 * the event store, intent by intent.
 */
class FaultToleranceTest {

    private static final String KEY = "sk_test_faultsfaultsfaults12";
    private static final int ROUNDS = 3;

    private final List<ServiceProcess> processes = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (ServiceProcess process : processes) {
            process.close();
        }
    }

    @Test
    void killedUnderLoadTheServiceLosesAndDoublesNothingAndItsReadModelIsTheFoldOfItsEvents() throws Exception {
        Path dataDirectory = Files.createTempDirectory("faults");
        int postgresPort = ServiceProcess.freePort();
        Path ledger = dataDirectory.resolve("ledger.txt");
        ServiceProcess service = start(dataDirectory, postgresPort);
        AtomicReference<String> baseUrl = new AtomicReference<>("http://localhost:" + service.port);
        String jdbcUrl = "jdbc:postgresql://localhost:" + postgresPort + "/postgres";

        try (FaultLoad load = new FaultLoad(baseUrl::get, KEY, ledger, Duration.ofSeconds(60))) {
            load.start(4, Duration.ofMillis(20));
            for (int round = 0; round < ROUNDS; round++) {
                Thread.sleep(1_500 + ThreadLocalRandom.current().nextInt(2_500));
                service.kill();
                service = start(dataDirectory, postgresPort);
                baseUrl.set("http://localhost:" + service.port);
            }
            // 17 s: past the service's idle_in_transaction_session_timeout (15 s), which is what cuts such a
            // transaction off long before the gap timeout (60 s); bench/run-faults.sh holds it for 70 s
            List<GapHold.Outcome> held = GapHold.run(jdbcUrl, "postgres", "", initSql(), Duration.ofSeconds(17),
                    Duration.ofSeconds(8));
            assertThat(load.stopAndAwait(Duration.ofSeconds(60))).as("the clients finished").isTrue();

            assertThat(GapHold.verdict(held)).as(held.toString()).isTrue();
            assertThat(load.acknowledged()).as(load.summary()).isGreaterThan(50);
            assertThat(load.lost()).as(load.summary()).isZero();
        }
        try (Connection connection = Consistency.connect(jdbcUrl, "postgres", "")) {
            assertThat(Consistency.awaitCaughtUp(connection, Duration.ofSeconds(60))).isTrue();
            Consistency.Result result = Consistency.check(connection, List.of(ledger));
            assertThat(result.violations()).as(result.toString()).isEmpty();
        }
    }

    private ServiceProcess start(Path dataDirectory, int postgresPort) throws Exception {
        ServiceProcess service = ServiceProcess.start(dataDirectory, KEY, List.of(
                "--payments.embedded-postgres.port=" + postgresPort,
                // a claim of the killed process is taken over this soon; longer than any request here may run
                "--payments.idempotency.stale-after=12s"));
        processes.add(service);
        return service;
    }

    private static String initSql() throws Exception {
        try (InputStream yml = FaultToleranceTest.class.getResourceAsStream("/application.yml")) {
            return GapHold.initSql(new String(yml.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
