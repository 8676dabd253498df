package io.paymentintents.gateway.webhooks;

import io.paymentintents.api.secrets.ClientSecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends due deliveries. One dispatcher thread claims them from the outbox (every poll interval, and at once when
 * the event processor has committed new ones) and hands each to the JDK's asynchronous HTTP client, which runs on
 * the senders' own small worker pool: neither a request thread nor the event processor's thread ever waits for a
 * receiver. A send holds no database connection; a slow or dead receiver holds at most
 * {@code max-concurrent-per-endpoint} of the {@code max-in-flight} slots, until its timeouts end the attempt.
 */
public class WebhookSender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    private final WebhookDeliveries deliveries;
    private final StripeEventJson events;
    private final ClientSecrets secrets;
    private final WebhookSettings settings;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private volatile boolean running;
    private ScheduledExecutorService dispatcher;
    private ExecutorService workers;
    private HttpClient http;

    public WebhookSender(WebhookDeliveries deliveries, StripeEventJson events, ClientSecrets secrets,
                         WebhookSettings settings, Clock clock) {
        this.deliveries = deliveries;
        this.events = events;
        this.secrets = secrets;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        AtomicInteger workerNumber = new AtomicInteger();
        workers = Executors.newFixedThreadPool(settings.threads(), runnable -> daemon(runnable,
                "webhook-sender-" + workerNumber.incrementAndGet()));
        dispatcher = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "webhook-dispatcher"));
        http = HttpClient.newBuilder()
                         .version(HttpClient.Version.HTTP_1_1)
                         .connectTimeout(settings.connectTimeout())
                         .followRedirects(HttpClient.Redirect.NEVER)
                         .executor(workers)
                         .build();
        running = true;
        long poll = settings.pollInterval().toMillis();
        dispatcher.scheduleWithFixedDelay(this::dispatch, poll, poll, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Stops claiming, and gives the sends in flight a moment to finish. One cut off here is not lost: its lease
     * runs out and a sender (of this process after a restart, or of another) sends it again.
     */
    @Override
    public synchronized void stop() {
        running = false;
        dispatcher.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** New deliveries were committed: look for due ones now rather than at the next poll. */
    public void wake() {
        if (running && wakeRequested.compareAndSet(false, true)) {
            try {
                dispatcher.execute(this::dispatch);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                wakeRequested.set(false); // stopping
            }
        }
    }

    /** Deliveries this process is sending right now. */
    public int inFlight() {
        return inFlight.get();
    }

    private void dispatch() {
        wakeRequested.set(false);
        if (!running) {
            return;
        }
        int capacity = settings.maxInFlight() - inFlight.get();
        List<WebhookDeliveries.Claim> claimed;
        try {
            claimed = deliveries.claim(capacity, settings.maxConcurrentPerEndpoint(), settings.lease());
        } catch (RuntimeException e) {
            log.warn("could not claim due webhook deliveries; trying again at the next poll", e);
            return;
        }
        for (WebhookDeliveries.Claim claim : claimed) {
            inFlight.incrementAndGet();
            try {
                workers.execute(() -> deliver(claim));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                inFlight.decrementAndGet(); // stopping: the lease runs out and the delivery is due again
            }
        }
        if (!claimed.isEmpty() && claimed.size() == capacity) {
            wake(); // there may be more due than there was room for
        }
    }

    private void deliver(WebhookDeliveries.Claim claim) {
        boolean handedOver = false;
        try {
            if (claim.interruptedLeaseUntil() != null) {
                deliveries.recordInterrupted(claim, settings.lease());
            }
            Optional<String> body = events.render(claim.accountId(), claim.eventId());
            if (body.isEmpty()) {
                deliveries.postpone(claim, settings.eventWait()); // not an attempt: nothing was sent
                return;
            }
            send(claim, body.get());
            handedOver = true;
        } catch (RuntimeException e) {
            log.warn("could not send webhook delivery {}; it is due again shortly", claim.deliveryId(), e);
            try {
                deliveries.postpone(claim, settings.eventWait());
            } catch (RuntimeException again) {
                log.debug("could not give back delivery {}; its lease will run out", claim.deliveryId(), again);
            }
        } finally {
            if (!handedOver) {
                finished();
            }
        }
    }

    private void send(WebhookDeliveries.Claim claim, String body) {
        Instant attemptedAt = clock.instant();
        long startNanos = System.nanoTime();
        CompletableFuture<HttpResponse<Void>> started;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(claim.url()))
                    .timeout(settings.readTimeout())
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header("User-Agent", "PaymentIntents-Webhooks/1.0")
                    .header("Stripe-Signature", WebhookSignature.header(secrets.webhookSecret(claim.endpointId()),
                            attemptedAt.getEpochSecond(), body))
                    .POST(HttpRequest.BodyPublishers.ofString(body, java.nio.charset.StandardCharsets.UTF_8))
                    .build();
            started = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        } catch (IllegalArgumentException e) {
            // a URL the HTTP client refuses although it passed validation: an attempt that failed, not a retry loop
            started = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HttpResponse<Void>> exchange = started;
        // the request timeout covers the wait for the answer's head; this ends a body that never finishes
        ScheduledFuture<?> deadline = dispatcher.schedule(() -> exchange.cancel(true),
                settings.sendDeadline().toMillis(), TimeUnit.MILLISECONDS);
        exchange.whenCompleteAsync((response, failure) -> {
            try {
                deadline.cancel(false);
                long latency = (System.nanoTime() - startNanos) / 1_000_000;
                WebhookDeliveries.Outcome outcome = response != null
                        ? new WebhookDeliveries.Outcome(attemptedAt, response.statusCode(), latency,
                        response.statusCode() / 100 == 2 ? null : "the receiver answered " + response.statusCode())
                        : new WebhookDeliveries.Outcome(attemptedAt, null, latency, describe(failure));
                deliveries.record(claim, outcome, settings.retry());
            } catch (RuntimeException e) {
                log.warn("could not record an attempt of webhook delivery {}; its lease will run out and it is "
                        + "sent again", claim.deliveryId(), e);
            } finally {
                finished();
            }
        }, workers);
    }

    private void finished() {
        inFlight.decrementAndGet();
        wake(); // a slot is free, and an endpoint may be below its bound again
    }

    private String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof HttpConnectTimeoutException) {
            return "could not connect within " + settings.connectTimeout().toMillis() + " ms";
        }
        if (cause instanceof HttpTimeoutException) {
            return "no answer within " + settings.readTimeout().toMillis() + " ms";
        }
        if (cause instanceof CancellationException) {
            return "no complete answer within " + settings.sendDeadline().toMillis() + " ms";
        }
        if (cause instanceof ConnectException) {
            return "could not connect: " + (cause.getMessage() == null ? "connection refused" : cause.getMessage());
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
