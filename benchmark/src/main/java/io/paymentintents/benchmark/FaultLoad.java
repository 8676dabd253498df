package io.paymentintents.benchmark;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Clients that keep paying while the service (or its database) is killed under them, as Stripe's SDKs would: every
 * POST carries an Idempotency-Key and is retried with the same key and the same body until it gets an answer. Each
 * client runs journeys one after the other: a create and a confirm (half of them), a create with
 * {@code capture_method=manual}, its confirm and a capture (a quarter), or a create alone (a quarter).
 *
 * <p>The ledger records every answer a client accepted, one line each, written before the next request:
 * {@code ack <operation> <key> <intent> <http status> <intent status> <amount> <amount_received>}, and
 * {@code lost <operation> <key> <intent or -> <last failure>} for a request still unanswered when the client gave up,
 * and {@code unknown ...} for a request whose key replays a stored 500 (its first execution failed, for example when
 * PostgreSQL went away under it: Stripe's semantics make that the key's answer for good).
 * {@link Consistency} holds the event store and the read model against it.
 */
public final class FaultLoad implements AutoCloseable {

    private final Supplier<String> baseUrl;
    private final String authorization;
    private final Writer ledger;
    private final Duration giveUpAfter;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Thread> clients = new ArrayList<>();
    private final String runTag = Long.toString(System.currentTimeMillis(), 36);
    private volatile boolean stopping;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicLong journeys = new AtomicLong();

    /**
     * @param baseUrl     where the service is now (it may move between restarts)
     * @param giveUpAfter how long a client retries one request before it records it as lost
     */
    public FaultLoad(Supplier<String> baseUrl, String secretKey, Path ledgerFile, Duration giveUpAfter)
            throws IOException {
        this.baseUrl = baseUrl;
        this.authorization = "Bearer " + secretKey;
        this.ledger = Files.newBufferedWriter(ledgerFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        this.giveUpAfter = giveUpAfter;
    }

    static void main(Args args) throws Exception {
        String url = args.string("url", "http://127.0.0.1:8080");
        Path ledger = Path.of(args.required("ledger"));
        Path stopFile = Path.of(args.string("stop-file", ledger + ".stop"));
        try (FaultLoad load = new FaultLoad(() -> url, args.required("key"), ledger,
                args.duration("give-up-after", Duration.ofSeconds(180)))) {
            load.start(args.integer("clients", 8), args.duration("pause", Duration.ofMillis(20)));
            // runs until the stop file appears (the fault script creates it) or the duration ends
            long end = System.nanoTime() + args.duration("duration", Duration.ofHours(1)).toNanos();
            long ticks = 0;
            while (!Files.exists(stopFile) && System.nanoTime() < end) {
                Thread.sleep(200);
                if (++ticks % 50 == 0) {
                    System.out.println(Instant.now() + " " + load.summary());
                }
            }
            load.stopAndAwait(Duration.ofSeconds(args.integer("finish-seconds", 240)));
            System.out.println(load.summary());
        }
    }

    public void start(int clientCount, Duration pauseBetweenJourneys) {
        for (int i = 0; i < clientCount; i++) {
            int client = i;
            Thread thread = new Thread(() -> {
                long n = 0;
                while (!stopping) {
                    try {
                        journey(client + "-" + n++);
                        journeys.incrementAndGet();
                        Thread.sleep(pauseBetweenJourneys.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot write the ledger", e);
                    }
                }
            }, "fault-client-" + i);
            thread.start();
            clients.add(thread);
        }
    }

    /** Lets every client finish the journey it is on (retrying through restarts), then returns. */
    public boolean stopAndAwait(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread client : clients) {
            client.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        return clients.stream().noneMatch(Thread::isAlive);
    }

    public String summary() {
        return "journeys " + journeys.get() + ", acknowledged requests " + acknowledged.get() + ", retries "
                + retries.get() + ", lost (never answered) " + lost.get() + ", answered 500 (outcome unknown) "
                + unknown.get();
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    public long lost() {
        return lost.get();
    }

    private void journey(String name) throws IOException, InterruptedException {
        int kind = ThreadLocalRandom.current().nextInt(4);
        boolean manual = kind == 1;
        String createKey = "fault-" + runTag + "-" + name + "-create-" + UUID.randomUUID();
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("amount", 100 + ThreadLocalRandom.current().nextInt(50_000));
        form.put("currency", "usd");
        form.put("customer", "cus_fault" + ThreadLocalRandom.current().nextInt(50));
        form.put("payment_method", "pm_card_visa");
        if (manual) {
            form.put("capture_method", "manual");
        }
        form.put("metadata[fault_key]", createKey);
        String id = request("create", createKey, "/v1/payment_intents", Api.form(form), null);
        if (id == null || kind == 3) {
            return;
        }
        String confirmed = request("confirm", "fault-" + UUID.randomUUID(), "/v1/payment_intents/" + id + "/confirm",
                "", id);
        if (confirmed == null || !manual) {
            return;
        }
        request("capture", "fault-" + UUID.randomUUID(), "/v1/payment_intents/" + id + "/capture", "", id);
    }

    /**
     * Sends one keyed POST until it is answered; records the answer in the ledger. Returns the intent's id on a 200,
     * null otherwise (an answered refusal, or given up).
     */
    private String request(String operation, String key, String path, String body, String intent)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        String lastFailure = "none";
        long backoff = 100;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response;
            try {
                response = http.send(HttpRequest.newBuilder(URI.create(baseUrl.get() + path))
                        .timeout(Duration.ofSeconds(20))
                        .header("Authorization", authorization)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastFailure = StepStats.rootName(e);
                retries.incrementAndGet();
                Thread.sleep(backoff);
                backoff = Math.min(2_000, backoff * 2);
                continue;
            }
            int status = response.statusCode();
            if (status >= 500 && response.headers().firstValue("Idempotent-Replayed").orElse("").equals("true")) {
                // the key's first execution failed and its 500 was stored: that is this key's answer for good, and
                // whether the payment went through is for the client to find out (we only count it)
                write("unknown " + operation + " " + key + " " + (intent == null ? "-" : intent) + " HTTP " + status);
                unknown.incrementAndGet();
                return null;
            }
            // Stripe's advice: retry on 409 (the key is in use), 429 and 5xx, with the same key
            if (status == 409 || status == 429 || status >= 500) {
                lastFailure = "HTTP " + status;
                retries.incrementAndGet();
                Thread.sleep(backoff);
                backoff = Math.min(2_000, backoff * 2);
                continue;
            }
            String text = response.body();
            String id = status == 200 ? Api.idOf(text) : intent;
            write("ack " + operation + " " + key + " " + (id == null ? "-" : id) + " " + status + " "
                    + orDash(Api.stringField(text, "status")) + " " + number(text, "amount") + " "
                    + number(text, "amount_received"));
            acknowledged.incrementAndGet();
            return status == 200 ? id : null;
        }
        write("lost " + operation + " " + key + " " + (intent == null ? "-" : intent) + " " + lastFailure);
        lost.incrementAndGet();
        return null;
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }

    private static String number(String body, String name) {
        String marker = "\"" + name + "\":";
        int at = body.indexOf(marker);
        if (at < 0) {
            return "-";
        }
        int end = at + marker.length();
        while (end < body.length() && (Character.isDigit(body.charAt(end)) || body.charAt(end) == '-')) {
            end++;
        }
        return end == at + marker.length() ? "-" : body.substring(at + marker.length(), end);
    }

    private synchronized void write(String line) throws IOException {
        ledger.write(line);
        ledger.write('\n');
        ledger.flush();
    }

    @Override
    public void close() throws IOException {
        stopping = true;
        ledger.close();
    }
}
