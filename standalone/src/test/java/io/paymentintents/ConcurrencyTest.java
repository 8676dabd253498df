package io.paymentintents;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Races on one intent and on one key: exactly one request wins, the others get precise answers. */
class ConcurrencyTest extends ServiceTest {

    private <T> List<T> race(List<Callable<T>> requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(requests.size());
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> request : requests) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return request.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fiftyIdenticalKeyedCreatesMakeOneIntent() throws Exception {
        String key = "race-" + UUID.randomUUID();
        String body = "{\"amount\": 3000, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\", \"confirm\": true}";
        List<Callable<Reply>> requests = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            requests.add(() -> send("POST", "/v1/payment_intents", body, "Authorization", bearer(SECRET_KEY),
                    "Content-Type", "application/json", "Idempotency-Key", key));
        }

        List<Reply> replies = race(requests);

        List<String> ids = replies.stream().filter(r -> r.status() == 200).map(r -> r.body().get("id").asText())
                .distinct().toList();
        assertThat(ids).hasSize(1);
        assertThat(replies).allSatisfy(reply -> {
            assertThat(reply.status()).isIn(200, 409);
            if (reply.status() == 409) {
                assertThat(reply.error().get("code").asText()).isEqualTo("idempotency_key_in_use");
            }
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE '%PaymentIntentCreated'", Long.class, ids.get(0))).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE '%PaymentIntentSucceeded'", Long.class, ids.get(0))).isEqualTo(1);
    }

    @RepeatedTest(5)
    void concurrentConfirmAndCancelHaveExactlyOneWinner() throws Exception {
        String id = createIntent("{\"amount\": 3000, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\"}");

        List<Reply> replies = race(List.of(
                () -> postJson("/v1/payment_intents/" + id + "/confirm", "{}"),
                () -> postJson("/v1/payment_intents/" + id + "/cancel", "{}")));

        assertThat(replies.stream().filter(r -> r.status() == 200)).hasSize(1);
        Reply loser = replies.stream().filter(r -> r.status() != 200).findFirst().orElseThrow();
        assertThat(loser.status()).isEqualTo(400);
        assertThat(loser.error().get("code").asText()).isEqualTo("payment_intent_unexpected_state");
        String status = get("/v1/payment_intents/" + id).body().get("status").asText();
        assertThat(status).isIn("succeeded", "canceled");
        assertThat(eventCount(id)).isEqualTo(2); // created, then exactly one of succeeded or canceled
    }

    @RepeatedTest(5)
    void twoConcurrentCapturesCaptureOnce() throws Exception {
        String id = createIntent("{\"amount\": 3000, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\", "
                + "\"capture_method\": \"manual\", \"confirm\": true}");

        List<Reply> replies = race(List.of(
                () -> postJson("/v1/payment_intents/" + id + "/capture", "{\"amount_to_capture\": 1000}"),
                () -> postJson("/v1/payment_intents/" + id + "/capture", "{\"amount_to_capture\": 2000}")));

        assertThat(replies.stream().filter(r -> r.status() == 200)).hasSize(1);
        assertThat(replies.stream().filter(r -> r.status() == 400)
                .map(r -> r.error().get("code").asText())).containsExactly("payment_intent_unexpected_state");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM domain_event_entry WHERE aggregate_identifier = ? "
                + "AND payload_type LIKE '%PaymentIntentCaptured'", Long.class, id)).isEqualTo(1);
        long received = get("/v1/payment_intents/" + id).body().get("amount_received").asLong();
        assertThat(received).isIn(1000L, 2000L);
    }
}
