package io.paymentintents.benchmark;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/** The service's HTTP API as a client sees it: form bodies, a Bearer secret key, Idempotency-Keys. */
public final class Api implements AutoCloseable {

    private final ExecutorService executor;
    private final HttpClient http;
    private final String baseUrl;
    private final String authorization;
    private final Duration timeout;

    public Api(String baseUrl, String secretKey, Duration timeout) {
        this.executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "bench-http");
            thread.setDaemon(true);
            return thread;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = "Bearer " + secretKey;
        this.timeout = timeout;
    }

    public CompletableFuture<HttpResponse<String>> post(String path, String form, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", "payment-intents-bench/1")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public CompletableFuture<HttpResponse<String>> get(String path) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Authorization", authorization).header("User-Agent", "payment-intents-bench/1").GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    public static String form(Map<String, ?> parameters) {
        return parameters.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** The top-level {@code "id"} of an intent (the first one in the body: the service writes it first). */
    public static String idOf(String body) {
        int at = body.indexOf("\"id\":\"");
        if (at < 0) {
            return null;
        }
        int end = body.indexOf('"', at + 6);
        return body.substring(at + 6, end);
    }

    /** The value of the first {@code "name":"value"} of a body, or null. */
    public static String stringField(String body, String name) {
        String marker = "\"" + name + "\":\"";
        int at = body.indexOf(marker);
        if (at < 0) {
            return null;
        }
        int end = body.indexOf('"', at + marker.length());
        return body.substring(at + marker.length(), end);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
