package io.paymentintents.distributed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axoniq.axonserver.connector.AxonServerConnection;
import io.axoniq.axonserver.connector.AxonServerConnectionFactory;
import io.axoniq.axonserver.connector.impl.ServerAddress;
import io.axoniq.axonserver.grpc.event.Event;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The service as the Axon Server topology runs it: the command-side, query-side and api-gateway jars as three
 * processes, connected through the Axon Server at {@code AXONSERVER_SERVERS}, with their tables in one PostgreSQL
 * (embedded, started here).
 */
final class Deployment implements AutoCloseable {

    static final String SECRET_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
    static final String PUBLISHABLE_KEY = "pk_test_TYooMQauvdEDq54NiTphI7jx";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String axonServers;
    private final EmbeddedPostgres postgres;
    private final Path directory;
    private final Map<String, String> environment = new HashMap<>();
    private final AxonServerConnectionFactory axonServerClients;
    private final AxonServerConnection axonServer;
    ServiceProcess commandSide;
    ServiceProcess querySide;
    ServiceProcess gateway;

    private Deployment(String axonServers) throws IOException {
        this.axonServers = axonServers;
        this.directory = Files.createTempDirectory(Path.of("target"), "deployment-");
        this.postgres = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
        byte[] clientSecretKey = new byte[32];
        new SecureRandom().nextBytes(clientSecretKey);
        environment.put("SPRING_DATASOURCE_URL", postgres.getJdbcUrl("postgres", "postgres"));
        environment.put("SPRING_DATASOURCE_USERNAME", "postgres");
        environment.put("AXONSERVER_SERVERS", axonServers);
        environment.put("PAYMENTS_CLIENT_SECRET_KEY", Base64.getEncoder().encodeToString(clientSecretKey));
        this.axonServerClients = AxonServerConnectionFactory.forClient("payments-distributed-tests")
                .routingServers(Arrays.stream(axonServers.split(",")).map(Deployment::address)
                        .toArray(ServerAddress[]::new))
                .build();
        this.axonServer = axonServerClients.connect("default");
    }

    /** Starts all three services at once (they do not wait for each other) and waits until each is ready. */
    static Deployment start(String axonServers) throws Exception {
        Deployment deployment = new Deployment(axonServers);
        try {
            deployment.commandSide = deployment.launchCommandSide();
            deployment.querySide = deployment.launchQuerySide();
            deployment.gateway = deployment.launchGateway();
            deployment.commandSide.awaitReady();
            deployment.querySide.awaitReady();
            deployment.gateway.awaitReady();
            // a fresh read model replays whatever Axon Server holds already (earlier runs): let it catch up first
            deployment.awaitProjectionCaughtUp();
            return deployment;
        } catch (Exception | AssertionError e) {
            deployment.close();
            throw e;
        }
    }

    private ServiceProcess launchCommandSide() throws IOException {
        // snapshots after 5 events, so that a test can find one in Axon Server; bank payments settle after 2 s
        return ServiceProcess.launch("command-side", jar("command-side"), environment,
                List.of("--payments.snapshot-threshold=5", "--payments.settlement-delay=2s"), directory);
    }

    ServiceProcess launchQuerySide() throws IOException {
        return ServiceProcess.launch("query-side", jar("query-side"), environment, List.of(), directory);
    }

    private ServiceProcess launchGateway() throws IOException {
        Map<String, String> gatewayEnvironment = new HashMap<>(environment);
        gatewayEnvironment.put("PAYMENTS_DATA_DIR", directory.resolve("gateway").toString());
        gatewayEnvironment.put("PAYMENTS_SECRET_KEY", SECRET_KEY);
        gatewayEnvironment.put("PAYMENTS_PUBLISHABLE_KEY", PUBLISHABLE_KEY);
        return ServiceProcess.launch("api-gateway", jar("api-gateway"), gatewayEnvironment, List.of(), directory);
    }

    private static Path jar(String service) {
        return Path.of(System.getProperty("payments.jars." + service, "../" + service + "-app/target/" + service
                + ".jar")).toAbsolutePath().normalize();
    }

    private static ServerAddress address(String hostAndPort) {
        String[] parts = hostAndPort.trim().split(":");
        return new ServerAddress(parts[0], parts.length > 1 ? Integer.parseInt(parts[1]) : 8124);
    }

    // ---- HTTP, as a client of the gateway

    record Reply(int status, HttpResponse<String> raw, JsonNode body) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        JsonNode error() {
            return body.get("error");
        }

        @Override
        public String toString() {
            return status + " " + raw.body();
        }
    }

    Reply send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? null : JSON.readTree(response.body());
            return new Reply(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply postJson(String path, String json, String... headers) {
        List<String> all = new ArrayList<>(List.of("Authorization", "Bearer " + SECRET_KEY,
                "Content-Type", "application/json"));
        all.addAll(List.of(headers));
        return send("POST", path, json, all.toArray(String[]::new));
    }

    Reply postForm(String path, String form, String... headers) {
        List<String> all = new ArrayList<>(List.of("Authorization", "Bearer " + SECRET_KEY,
                "Content-Type", "application/x-www-form-urlencoded"));
        all.addAll(List.of(headers));
        return send("POST", path, form, all.toArray(String[]::new));
    }

    Reply get(String path) {
        return send("GET", path, null, "Authorization", "Bearer " + SECRET_KEY);
    }

    // ---- PostgreSQL, as an operator sees it

    Connection database() throws SQLException {
        return DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
    }

    long count(String sql) throws SQLException {
        try (Connection connection = database(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    void execute(String... statements) throws SQLException {
        try (Connection connection = database(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            for (String sql : statements) {
                statement.executeUpdate(sql);
            }
            connection.commit();
        }
    }

    /** The position of the projection's token, or -1 while it has none. */
    long projectionPosition() throws SQLException {
        try (Connection connection = database(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT convert_from(token, 'UTF8') FROM token_entry "
                     + "WHERE processor_name = 'payment-intents' AND token IS NOT NULL")) {
            long position = -1;
            while (rows.next()) {
                // a GlobalSequenceTrackingToken, or a ReplayToken around one while the processor replays history
                JsonNode token = JSON.readTree(rows.getString(1));
                JsonNode current = token.has("currentToken") ? token.get("currentToken") : token;
                position = Math.max(position, current.path("globalIndex").asLong(-1));
            }
            return position;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitProjectionCaughtUp() throws Exception {
        long head = axonServer.eventChannel().getLastToken().get(10, TimeUnit.SECONDS);
        await("the projection reaching event " + head + " of Axon Server")
                .atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> head < 0 || projectionPosition() >= head);
    }

    // ---- Axon Server, read directly

    List<Event> eventsOf(String aggregateId) {
        return axonServer.eventChannel().openAggregateStream(aggregateId, false).asStream().toList();
    }

    List<Event> snapshotsOf(String aggregateId) {
        return axonServer.eventChannel().loadSnapshots(aggregateId, 0, Long.MAX_VALUE, 10).asStream().toList();
    }

    @Override
    public void close() {
        for (ServiceProcess service : new ServiceProcess[]{gateway, querySide, commandSide}) {
            if (service != null) {
                try {
                    service.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        axonServer.disconnect();
        axonServerClients.shutdown();
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
