package io.paymentintents;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook receiver for tests: the JDK's HTTP server on a random port of the loopback interface. It records every
 * request it gets and answers with the status its {@code answer} gives for the request's number (0 for the first);
 * an answer may block, as a hung receiver does, since every request has a thread of its own.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request as the receiver got it. */
    record Received(String body, String signature, String contentType, long arrivedNanos) {
    }

    interface Answer {
        int status(int requestNumber) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Answer answer;

    private WebhookReceiver(Answer answer) {
        this.answer = answer;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A receiver that answers every request with {@code status}. */
    static WebhookReceiver answering(int status) {
        return new WebhookReceiver(n -> status);
    }

    static WebhookReceiver answering(Answer answer) {
        return new WebhookReceiver(answer);
    }

    /** Answers {@code statuses} in turn, then the last of them for ever. */
    static WebhookReceiver answeringInTurn(int... statuses) {
        return new WebhookReceiver(n -> statuses[Math.min(n, statuses.length - 1)]);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int number;
            synchronized (received) {
                number = received.size();
                received.add(new Received(body, exchange.getRequestHeaders().getFirst("Stripe-Signature"),
                        exchange.getRequestHeaders().getFirst("Content-Type"), System.nanoTime()));
            }
            int status;
            try {
                status = answer.status(number);
            } catch (Exception e) {
                status = 599;
            }
            byte[] reply = "{\"received\": true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
        }
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    /** Waits (generously: the machine may be loaded) until {@code count} requests have arrived. */
    List<Received> await(int count) {
        return awaitMatching(count, r -> true);
    }

    /** Waits until {@code count} requests whose body satisfies {@code which} have arrived; those requests. */
    List<Received> awaitMatching(int count, Predicate<Received> which) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            List<Received> matching = received.stream().filter(which).toList();
            if (matching.size() >= count) {
                return matching;
            }
            sleep(50);
        }
        List<Received> matching = received.stream().filter(which).toList();
        assertThat(matching).as("requests received by %s", url()).hasSizeGreaterThanOrEqualTo(count);
        return matching;
    }

    static final Duration PATIENCE = Duration.ofSeconds(60);

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code condition} holds, polling, for at most {@link #PATIENCE}. */
    static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(deadline);
            sleep(50);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
