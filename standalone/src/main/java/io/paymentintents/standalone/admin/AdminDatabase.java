package io.paymentintents.standalone.admin;

import io.paymentintents.gateway.GatewaySchemaConfiguration;
import io.paymentintents.standalone.EmbeddedPostgresConfiguration;
import io.paymentintents.standalone.MigrationLock;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The database the service uses, found as the service finds it: the server SPRING_DATASOURCE_URL names; otherwise
 * the embedded PostgreSQL of the data directory, reached on the port its {@code postmaster.pid} shows while the
 * service runs, or started for the duration of the command when it does not. The gateway's tables are migrated
 * first, so the command also works on a database the service has never run on.
 */
final class AdminDatabase implements AutoCloseable {

    private final DataSource dataSource;
    private final EmbeddedPostgres startedHere;

    private AdminDatabase(DataSource dataSource, EmbeddedPostgres startedHere) {
        this.dataSource = dataSource;
        this.startedHere = startedHere;
    }

    static AdminDatabase open(AdminSettings settings, PrintStream notes) throws IOException {
        Optional<String> url = settings.get("spring.datasource.url");
        AdminDatabase database;
        if (url.isPresent()) {
            database = new AdminDatabase(new DriverManagerDataSource(url.get(),
                    settings.get("spring.datasource.username", ""), settings.get("spring.datasource.password", "")),
                    null);
        } else {
            Path directory = Path.of(settings.get("payments.data-dir", "./data")).resolve("postgres").toAbsolutePath();
            Optional<Integer> port = runningServerPort(directory);
            if (port.isPresent()) {
                database = new AdminDatabase(new DriverManagerDataSource(
                        "jdbc:postgresql://localhost:" + port.get() + "/postgres", "postgres", ""), null);
            } else {
                Files.createDirectories(directory);
                notes.println("The service is not running: starting its embedded PostgreSQL (" + directory
                        + ") for this command.");
                EmbeddedPostgres postgres = EmbeddedPostgresConfiguration.start(directory, 0);
                database = new AdminDatabase(new DriverManagerDataSource(postgres.getJdbcUrl("postgres", "postgres"),
                        "postgres", ""), postgres);
            }
        }
        try {
            MigrationLock.migrate(GatewaySchemaConfiguration.flyway(database.dataSource), "gatewayMigrations");
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return database;
    }

    /** The port on line 4 of {@code postmaster.pid}, if the server that wrote it is still alive. */
    static Optional<Integer> runningServerPort(Path directory) throws IOException {
        Path pidFile = directory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 4) {
            return Optional.empty(); // still being written by a starting server
        }
        try {
            long pid = Long.parseLong(lines.get(0).trim());
            int port = Integer.parseInt(lines.get(3).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> port);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** False when the command started the embedded PostgreSQL itself: then no service can be running on it. */
    boolean serviceMayBeRunning() {
        return startedHere == null;
    }

    @Override
    public void close() throws IOException {
        if (startedHere != null) {
            startedHere.close();
        }
    }
}
