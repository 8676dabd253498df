package io.paymentintents;

import io.paymentintents.standalone.EmbeddedPostgresConfiguration;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * N identical nodes of the service, each a real process with its own data directory, all on one PostgreSQL that
 * runs in the test's JVM: the deployment of docs/deployment.md ("N identical nodes on PostgreSQL") on loopback
 * ports. Every node gets the same keys and the same client-secret key, as the deployment guide requires.
 */
final class ServiceCluster implements AutoCloseable {

    static final String SECRET_KEY = "sk_test_scaleoutscaleout12345";
    static final String PUBLISHABLE_KEY = "pk_test_scaleoutscaleout12345";
    static final String CLIENT_SECRET_KEY = Base64.getEncoder()
            .encodeToString("scale-out test: 32 bytes or more, shared".getBytes());

    private final Path root;
    private final EmbeddedPostgres postgres;
    private final List<ServiceProcess> nodes = new ArrayList<>();

    private ServiceCluster(Path root, EmbeddedPostgres postgres) {
        this.root = root;
        this.postgres = postgres;
    }

    /** Starts PostgreSQL and {@code count} nodes at once, and waits until every node is healthy. */
    static ServiceCluster start(int count, List<String> jvmOptions, List<String> arguments, Duration timeout)
            throws Exception {
        Path root = Files.createTempDirectory("scale-out");
        ServiceCluster cluster = new ServiceCluster(root,
                EmbeddedPostgresConfiguration.start(root.resolve("postgres"), 0));
        try {
            for (int i = 0; i < count; i++) {
                cluster.launch(jvmOptions, arguments);
            }
            for (ServiceProcess node : cluster.nodes) {
                node.awaitHealthy(timeout);
            }
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** The settings that make a node one of this cluster: the shared database, keys and client-secret key. */
    List<String> nodeArguments() {
        return List.of("--spring.datasource.url=" + jdbcUrl(), "--spring.datasource.username=postgres",
                "--payments.keys.publishable=" + PUBLISHABLE_KEY, "--payments.client-secret-key=" + CLIENT_SECRET_KEY);
    }

    private ServiceProcess launch(List<String> jvmOptions, List<String> arguments) throws IOException {
        Path data = Files.createDirectories(root.resolve("node-" + nodes.size()));
        List<String> all = new ArrayList<>(nodeArguments());
        all.addAll(arguments);
        ServiceProcess node = ServiceProcess.launch(data, SECRET_KEY, jvmOptions, all);
        nodes.add(node);
        return node;
    }

    List<ServiceProcess> nodes() {
        return nodes;
    }

    ServiceProcess node(int index) {
        return nodes.get(index);
    }

    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    /** The PostgreSQL server's own process (its postmaster), whose children are the server's other processes. */
    ProcessHandle postgresProcess() throws IOException {
        long pid = Long.parseLong(Files.readAllLines(root.resolve("postgres").resolve("postmaster.pid")).get(0).trim());
        return ProcessHandle.of(pid).orElseThrow();
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess node : nodes) {
            node.close();
        }
        postgres.close();
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
