package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.net.Webhook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.paymentintents.WebhookReceiver.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deliveries survive the process. The service runs as a real process with a short retry delay and short timeouts.
 * One receiver fails its first delivery, so a retry is scheduled; another never answers its first, so a send is in
 * flight. The process is killed (no shutdown at all) with both pending, left down until the retry is due, and
 * started again on the same data directory: the retry is sent, the interrupted send is sent again once its lease
 * has run out, and both signatures verify with the secrets given before the crash.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhooksAcrossRestartsTest {

    private static final String KEY = "sk_test_webhooksrestarts1234";
    private static final long RETRY_DELAY_SECONDS = 4;

    private final List<ServiceProcess> processes = new ArrayList<>();
    private final CountDownLatch hangUntilKilled = new CountDownLatch(1);
    private WebhookReceiver failingFirst;
    private WebhookReceiver hangingFirst;
    private String failingEndpoint;
    private String failingSecret;
    private String hangingEndpoint;
    private String hangingSecret;
    private String intent;
    private ServiceProcess restarted;

    @BeforeAll
    void killTheServiceWithDeliveriesPendingAndStartItAgain() throws Exception {
        Path dataDirectory = Files.createTempDirectory("webhooks-restart");
        failingFirst = WebhookReceiver.answeringInTurn(500, 200);
        hangingFirst = WebhookReceiver.answering(n -> {
            if (n == 0) {
                hangUntilKilled.await(2, TimeUnit.MINUTES);
            }
            return 200;
        });
        ServiceProcess first = start(dataDirectory);
        JsonNode failing = first.post("/v1/webhook_endpoints", "{\"url\": \"" + failingFirst.url()
                + "\", \"enabled_events\": [\"payment_intent.created\"]}", null);
        failingEndpoint = failing.get("id").asText();
        failingSecret = failing.get("secret").asText();
        JsonNode hanging = first.post("/v1/webhook_endpoints", "{\"url\": \"" + hangingFirst.url()
                + "\", \"enabled_events\": [\"payment_intent.created\"]}", null);
        hangingEndpoint = hanging.get("id").asText();
        hangingSecret = hanging.get("secret").asText();

        intent = first.post("/v1/payment_intents", "{\"amount\": 3100, \"currency\": \"eur\"}", null)
                      .get("id").asText();
        failingFirst.await(1);
        hangingFirst.await(1);
        awaitTrue("the failed attempt recorded", () -> attempts(first, failingEndpoint) == 1);

        first.kill();
        hangUntilKilled.countDown();
        Thread.sleep(RETRY_DELAY_SECONDS * 1000); // the retry falls due while no process runs
        restarted = start(dataDirectory);
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (ServiceProcess process : processes) {
            process.close();
        }
        failingFirst.close();
        hangingFirst.close();
    }

    @Test
    void aRetryThatFellDueWhileTheServiceWasDownIsSentAfterTheRestart() throws Exception {
        List<WebhookReceiver.Received> received = failingFirst.await(2);
        assertThat(Webhook.constructEvent(received.get(1).body(), received.get(1).signature(), failingSecret)
                          .getType()).isEqualTo("payment_intent.created");
        assertThat(received.get(1).body()).isEqualTo(received.get(0).body()).contains(intent);
        awaitTrue("the retry recorded", () -> state(restarted, failingEndpoint).equals("succeeded"));
        JsonNode attempts = delivery(restarted, failingEndpoint).get("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).get("status_code").asInt()).isEqualTo(500);
        assertThat(attempts.get(1).get("status_code").asInt()).isEqualTo(200);
    }

    @Test
    void aSendInterruptedByTheCrashIsSentAgainAndTheInterruptionIsRecorded() throws Exception {
        List<WebhookReceiver.Received> received = hangingFirst.await(2);
        assertThat(Webhook.constructEvent(received.get(1).body(), received.get(1).signature(), hangingSecret)
                          .getType()).isEqualTo("payment_intent.created");
        assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
        awaitTrue("the resend recorded", () -> state(restarted, hangingEndpoint).equals("succeeded"));
        JsonNode attempts = delivery(restarted, hangingEndpoint).get("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).get("status_code").isNull()).isTrue();
        assertThat(attempts.get(0).get("error").asText()).startsWith("interrupted");
        assertThat(attempts.get(1).get("status_code").asInt()).isEqualTo(200);
        assertThat(hangingFirst.received()).hasSize(2);
    }

    private ServiceProcess start(Path dataDirectory) throws Exception {
        ServiceProcess service = ServiceProcess.start(dataDirectory, KEY, List.of(
                "--payments.webhooks.retry.first-delay=" + RETRY_DELAY_SECONDS + "s",
                "--payments.webhooks.poll-interval=200ms",
                "--payments.webhooks.connect-timeout=1s",
                // an interrupted send's lease is connect + read timeout + 10 s: the resend follows soon after
                "--payments.webhooks.read-timeout=2s"));
        processes.add(service);
        return service;
    }

    private static JsonNode delivery(ServiceProcess service, String endpoint) throws Exception {
        JsonNode data = service.get("/v1/webhook_endpoints/" + URLEncoder.encode(endpoint, StandardCharsets.UTF_8)
                + "/deliveries").get("data");
        assertThat(data).hasSize(1);
        return data.get(0);
    }

    private static int attempts(ServiceProcess service, String endpoint) {
        try {
            return delivery(service, endpoint).get("attempt_count").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String state(ServiceProcess service, String endpoint) {
        try {
            return delivery(service, endpoint).get("status").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
