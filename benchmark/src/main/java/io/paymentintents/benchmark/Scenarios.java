package io.paymentintents.benchmark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The benchmark's scenarios, each one {@link OpenLoop.Operation}:
 * <ul>
 * <li>{@code create}: a keyed create with a card attached ({@code requires_confirmation});</li>
 * <li>{@code pair}: the same create, then a keyed confirm of it as soon as the create answered (a pair is one
 * successful payment); labels {@code create}, {@code confirm} and {@code pair} (the pair from its due time);</li>
 * <li>{@code retrieve}: GET of a random intent made earlier in the run;</li>
 * <li>{@code list}: GET of the first page (limit 10), every other time filtered by a customer.</li>
 * </ul>
 * Bodies are what a shop's server would send: amount, currency, customer, description, two metadata entries and
 * the payment method, form-encoded as Stripe's SDKs do, each POST with an Idempotency-Key.
 */
final class Scenarios {

    static final int CUSTOMERS = 1000;

    private final RawHttp http;
    private final Executor executor;
    private final boolean keyed;
    private final AtomicLong sequence = new AtomicLong();
    private final String runTag = Long.toString(System.currentTimeMillis(), 36);
    /** Intents made so far (the newest 16,384), for retrieve. */
    private final AtomicReferenceArray<String> made = new AtomicReferenceArray<>(16_384);
    private final AtomicLong madeCount = new AtomicLong();

    /** @param executor runs the (blocking) operations; as many threads as operations may be in flight */
    Scenarios(RawHttp http, Executor executor, boolean keyed) {
        this.http = http;
        this.executor = executor;
        this.keyed = keyed;
    }

    OpenLoop.Operation byName(String name) {
        return switch (name) {
            case "create" -> this::create;
            case "pair" -> this::pair;
            case "retrieve" -> this::retrieve;
            case "list" -> this::list;
            default -> throw new IllegalArgumentException("no scenario " + name
                    + " (create, pair, retrieve, list)");
        };
    }

    long made() {
        return madeCount.get();
    }

    String createBody() {
        return createBody(sequence.incrementAndGet(), runTag);
    }

    static String createBody(long n, String runTag) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("amount", 500 + random.nextInt(99_500));
        form.put("currency", "usd");
        form.put("customer", "cus_bench" + (n % CUSTOMERS));
        form.put("description", "Order " + runTag + "-" + n);
        form.put("metadata[order_id]", runTag + "-" + n);
        form.put("metadata[channel]", "web");
        form.put("payment_method", "pm_card_visa");
        return Api.form(form);
    }

    private String key() {
        return keyed ? UUID.randomUUID().toString() : null;
    }

    /** The create of a scenario, blocking; the new intent's id, or null if it failed. */
    private String createStep(long intended, StepStats stats) {
        RawHttp.Response response = null;
        Throwable failure = null;
        try {
            response = http.post("/v1/payment_intents", createBody(), key());
        } catch (Exception e) {
            failure = e;
        }
        if (stats.record("create", intended, response, failure)) {
            String id = Api.idOf(response.body());
            long index = madeCount.getAndIncrement();
            made.set((int) (index % made.length()), id);
            return id;
        }
        return null;
    }

    private CompletableFuture<?> create(long intended, StepStats stats) {
        return CompletableFuture.runAsync(() -> createStep(intended, stats), executor);
    }

    private CompletableFuture<?> pair(long intended, StepStats stats) {
        return CompletableFuture.runAsync(() -> {
            String id = createStep(intended, stats);
            if (id == null) {
                stats.op("pair").errors.computeIfAbsent("create failed", k -> new java.util.concurrent.atomic
                        .LongAdder()).increment();
                return;
            }
            long confirmSent = System.nanoTime();
            RawHttp.Response response = null;
            Throwable failure = null;
            try {
                response = http.post("/v1/payment_intents/" + id + "/confirm", "", key());
            } catch (Exception e) {
                failure = e;
            }
            stats.record("confirm", confirmSent, response, failure);
            stats.record("pair", intended, response, failure);
        }, executor);
    }

    private CompletableFuture<?> retrieve(long intended, StepStats stats) {
        long count = madeCount.get();
        if (count == 0) {
            throw new IllegalStateException("retrieve needs intents made earlier in the run");
        }
        long newest = Math.min(count, made.length());
        String id = made.get((int) ((count - 1 - ThreadLocalRandom.current().nextLong(newest)) % made.length()));
        return get("retrieve", "/v1/payment_intents/" + id, intended, stats);
    }

    private CompletableFuture<?> get(String label, String path, long intended, StepStats stats) {
        return CompletableFuture.runAsync(() -> {
            RawHttp.Response response = null;
            Throwable failure = null;
            try {
                response = http.get(path);
            } catch (Exception e) {
                failure = e;
            }
            stats.record(label, intended, response, failure);
        }, executor);
    }

    private CompletableFuture<?> list(long intended, StepStats stats) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String path = random.nextBoolean() ? "/v1/payment_intents?limit=10"
                : "/v1/payment_intents?limit=10&customer=cus_bench" + random.nextInt(CUSTOMERS);
        return get("list", path, intended, stats);
    }
}
