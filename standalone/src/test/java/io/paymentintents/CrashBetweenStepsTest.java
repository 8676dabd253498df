package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Exactly once across crashes. The service runs as a real process; fault injection kills it (as a power cut would:
 * no shutdown, its PostgreSQL left behind) after a keyed request's events are stored and before its response is.
 * A new process on the same data directory gets the client's retry with the same key, and must neither create a
 * second intent nor charge a second time: it answers with the intent's current state.
 */
class CrashBetweenStepsTest {

    private static final String KEY = "sk_test_crashcrashcrash1234";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dataDirectory = temporaryDirectory();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void aRetriedKeyedCreateAfterACrashMakesNoSecondIntentAndNoSecondCharge() throws Exception {
        int port = start();
        String body = "{\"amount\": 4100, \"currency\": \"usd\", \"customer\": \"cus_crash\", "
                + "\"payment_method\": \"pm_card_visa\", \"confirm\": true}";

        assertDiesMidRequest(port, "/v1/payment_intents", body, "crash-create");

        int restarted = start();
        JsonNode retried = post(restarted, "/v1/payment_intents", body, "crash-create");
        JsonNode list = get(restarted, "/v1/payment_intents?customer=cus_crash");

        assertThat(retried.get("status").asText()).isEqualTo("succeeded");
        assertThat(list.get("data").size()).as("one intent").isEqualTo(1);
        assertThat(list.at("/data/0/id").asText()).isEqualTo(retried.get("id").asText());
        assertThat(retried.at("/charges/data").size()).as("one charge").isEqualTo(1);
    }

    @Test
    void aRetriedKeyedConfirmAfterACrashChargesNoSecondTime() throws Exception {
        int port = start();
        String id = post(port, "/v1/payment_intents", "{\"amount\": 4200, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_visa\"}", null).get("id").asText();

        assertDiesMidRequest(port, "/v1/payment_intents/" + id + "/confirm", "{}", "crash-confirm");

        int restarted = start();
        JsonNode retried = post(restarted, "/v1/payment_intents/" + id + "/confirm", "{}", "crash-confirm");

        // Without the write side's memory of the request this would be a 400: a succeeded intent cannot be confirmed.
        assertThat(retried.get("status").asText()).isEqualTo("succeeded");
        assertThat(retried.at("/charges/data").size()).as("one charge").isEqualTo(1);
        assertThat(retried.get("amount_received").asLong()).isEqualTo(4200);
    }

    private void assertDiesMidRequest(int port, String path, String body, String key) throws Exception {
        Process process = processes.get(processes.size() - 1);
        assertThatThrownBy(() -> post(port, path, body, key)).as("no response reaches the client")
                .isInstanceOf(IOException.class);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(137);
    }

    private int start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = dataDirectory.resolve("service-" + processes.size() + ".log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1",
                "-Ddisable-axoniq-console-message=true", PaymentIntentsApplication.class.getName(),
                "--server.port=" + port, "--payments.data-dir=" + dataDirectory, "--payments.keys.secret=" + KEY,
                "--payments.idempotency.stale-after=1s",
                "--payments.fault-injection.halt-once-for-keys-starting-with=crash-")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the service did not start:\n" + Files.readString(log));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    Thread.sleep(1_100); // let a stale claim of the previous process age past stale-after
                    return port;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the service did not become healthy:\n" + Files.readString(log));
    }

    private static JsonNode post(int port, String path, String json, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ServiceTest.JSON.readTree(response.body());
    }

    private static JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ServiceTest.JSON.readTree(response.body());
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("crash");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
