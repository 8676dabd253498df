package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private final List<ServiceProcess> processes = new ArrayList<>();
    private Path dataDirectory;

    @AfterEach
    void stopEverything() throws Exception {
        for (ServiceProcess process : processes) {
            process.close();
        }
    }

    @Test
    void aRetriedKeyedCreateAfterACrashMakesNoSecondIntentAndNoSecondCharge() throws Exception {
        ServiceProcess first = start();
        String body = "{\"amount\": 4100, \"currency\": \"usd\", \"customer\": \"cus_crash\", "
                + "\"payment_method\": \"pm_card_visa\", \"confirm\": true}";

        assertDiesMidRequest(first, "/v1/payment_intents", body, "crash-create");

        ServiceProcess restarted = start();
        JsonNode retried = restarted.post("/v1/payment_intents", body, "crash-create");
        JsonNode list = restarted.get("/v1/payment_intents?customer=cus_crash");

        assertThat(retried.get("status").asText()).isEqualTo("succeeded");
        assertThat(list.get("data").size()).as("one intent").isEqualTo(1);
        assertThat(list.at("/data/0/id").asText()).isEqualTo(retried.get("id").asText());
        assertThat(retried.at("/charges/data").size()).as("one charge").isEqualTo(1);
    }

    @Test
    void aRetriedKeyedConfirmAfterACrashChargesNoSecondTime() throws Exception {
        ServiceProcess first = start();
        String id = first.post("/v1/payment_intents", "{\"amount\": 4200, \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_visa\"}", null).get("id").asText();

        assertDiesMidRequest(first, "/v1/payment_intents/" + id + "/confirm", "{}", "crash-confirm");

        ServiceProcess restarted = start();
        JsonNode retried = restarted.post("/v1/payment_intents/" + id + "/confirm", "{}", "crash-confirm");

        // Without the write side's memory of the request this would be a 400: a succeeded intent cannot be confirmed.
        assertThat(retried.get("status").asText()).isEqualTo("succeeded");
        assertThat(retried.at("/charges/data").size()).as("one charge").isEqualTo(1);
        assertThat(retried.get("amount_received").asLong()).isEqualTo(4200);
    }

    private void assertDiesMidRequest(ServiceProcess service, String path, String body, String key)
            throws Exception {
        assertThatThrownBy(() -> service.post(path, body, key)).as("no response reaches the client")
                .isInstanceOf(IOException.class);
        assertThat(service.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(service.process().exitValue()).isEqualTo(137);
    }

    private ServiceProcess start() throws Exception {
        if (dataDirectory == null) {
            dataDirectory = Files.createTempDirectory("crash");
        }
        ServiceProcess service = ServiceProcess.start(dataDirectory, KEY, List.of(
                "--payments.idempotency.stale-after=1s",
                "--payments.fault-injection.halt-once-for-keys-starting-with=crash-"));
        processes.add(service);
        Thread.sleep(1_100); // let a stale claim of the previous process age past stale-after
        return service;
    }
}
