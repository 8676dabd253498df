package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service as a real operating-system process on a data directory of the test's, for tests that kill it and
 * start it again. Each process gets fresh HTTP and PostgreSQL ports; the embedded PostgreSQL keeps the one given, so
 * that a test can read the event store across restarts.
 */
final class ServiceProcess implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path log;
    final int port;
    final String key;

    private ServiceProcess(Process process, Path log, int port, String key) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.key = key;
    }

    /** Starts the service and waits until it is healthy; {@code arguments} are extra {@code --name=value}s. */
    static ServiceProcess start(Path dataDirectory, String key, List<String> arguments) throws Exception {
        ServiceProcess service = launch(dataDirectory, key, List.of("-XX:TieredStopAtLevel=1"), arguments);
        service.awaitHealthy(Duration.ofSeconds(90));
        return service;
    }

    /**
     * Starts the service without waiting for it ({@link #awaitHealthy}), so that several can start at once;
     * {@code jvmOptions} go before the main class, {@code arguments} after it.
     */
    static ServiceProcess launch(Path dataDirectory, String key, List<String> jvmOptions, List<String> arguments)
            throws IOException {
        return launch(dataDirectory, key, System.getProperty("java.class.path"), jvmOptions, arguments);
    }

    /** As {@link #launch(Path, String, List, List)}, with another build's classes (a benchmark's baseline). */
    static ServiceProcess launch(Path dataDirectory, String key, String classpath, List<String> jvmOptions,
                                 List<String> arguments) throws IOException {
        int port = freePort();
        Path log = Files.createTempFile(dataDirectory, "service-", ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Ddisable-axoniq-console-message=true", PaymentIntentsApplication.class.getName(),
                "--server.port=" + port, "--payments.data-dir=" + dataDirectory, "--payments.keys.secret=" + key));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceProcess(process, log, port, key);
    }

    /** Waits until the service answers its health check; stops it and fails if it does not in time. */
    ServiceProcess awaitHealthy(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the service did not start:\n" + Files.readString(log));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        close();
        throw new AssertionError("the service did not become healthy:\n" + Files.readString(log));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    Process process() {
        return process;
    }

    /** As a power cut would: no shutdown hooks, no graceful stop, the embedded PostgreSQL left running. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    HttpResponse<String> send(String method, String path, String json, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST that must answer 200; its body. */
    JsonNode post(String path, String json, String idempotencyKey) throws Exception {
        HttpResponse<String> response = send("POST", path, json, idempotencyKey);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ServiceTest.JSON.readTree(response.body());
    }

    /** A GET that must answer 200; its body. */
    JsonNode get(String path) throws Exception {
        HttpResponse<String> response = send("GET", path, null, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ServiceTest.JSON.readTree(response.body());
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
