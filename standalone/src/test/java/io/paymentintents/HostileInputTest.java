package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * What an attacker or a broken client may send: oversized and lying bodies, deep nesting, huge metadata, invalid
 * UTF-8, NUL bytes, header injection, malformed request lines, SQL in every field. Each is answered with a precise
 * error in Stripe's envelope or stored and returned verbatim; never a 5xx, an HTML page, or a partial write.
 */
class HostileInputTest extends ServiceTest {

    private static final String AUTHORIZATION = "Authorization: Bearer " + SECRET_KEY;
    private static final int MAX_BODY_BYTES = 262_144;

    // ---------------------------------------------------------------------------------------------------- bodies

    @Test
    void aJsonBodyOverTheLimitIs413RequestTooLargeWithoutParamAndWritesNothing() {
        long before = eventCount();

        Reply reply = postJson("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\", \"description\": \""
                + "x".repeat(MAX_BODY_BYTES) + "\"}");

        assertRequestTooLarge(reply);
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void aFormBodyOverTheLimitIs413AndWritesNothing() {
        long before = eventCount();

        Reply reply = send("POST", "/v1/payment_intents", "amount=2000&currency=usd&description="
                        + "x".repeat(MAX_BODY_BYTES), "Authorization", bearer(SECRET_KEY),
                "Content-Type", "application/x-www-form-urlencoded");

        assertRequestTooLarge(reply);
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void aChunkedBodyWithoutContentLengthIsCountedAsItArrivesAndCutOffAtTheLimit() {
        long before = eventCount();
        byte[] body = ("{\"amount\": 2000, \"currency\": \"usd\", \"description\": \"" + "x".repeat(MAX_BODY_BYTES)
                + "\"}").getBytes(StandardCharsets.UTF_8);

        Reply reply = sendBody("POST", "/v1/payment_intents",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json");

        assertRequestTooLarge(reply);
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void aBodyOfExactlyTheLimitIsReadAndParsed() {
        String head = "{\"amount\": 2000, \"currency\": \"usd\", \"colour\": \"";
        String body = head + "x".repeat(MAX_BODY_BYTES - head.length() - 2) + "\"}";
        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(MAX_BODY_BYTES);

        Reply reply = postJson("/v1/payment_intents", body);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().get("code").asText()).isEqualTo("parameter_unknown");
        assertThat(reply.error().get("param").asText()).isEqualTo("colour");
    }

    private static void assertRequestTooLarge(Reply reply) {
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.header("Request-Id")).startsWith("req_");
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(reply.error().get("code").asText()).isEqualTo("request_too_large");
        assertThat(reply.error().get("message").asText()).contains(Integer.toString(MAX_BODY_BYTES));
        assertThat(reply.error().has("param")).isFalse();
    }

    static Stream<Arguments> lyingFraming() {
        String json = "{\"amount\": 2000, \"currency\": \"usd\"}";
        return Stream.of(
                arguments("Content-Length larger than the body, then the client stops sending",
                        "Content-Length: 500", json, 400),
                arguments("Content-Length smaller than the body", "Content-Length: 5", json, 400),
                arguments("Content-Length that is not a number", "Content-Length: lots", json, 400),
                arguments("negative Content-Length", "Content-Length: -1", json, 400),
                arguments("Content-Length beyond a long", "Content-Length: 99999999999999999999999", json, 400),
                arguments("two different Content-Lengths", "Content-Length: 2\r\nContent-Length: " + json.length(),
                        json, 400),
                arguments("chunked with a chunk size that is not hex", "Transfer-Encoding: chunked",
                        "ZZ\r\n" + json + "\r\n0\r\n\r\n", 400),
                arguments("chunked with a chunk longer than announced", "Transfer-Encoding: chunked",
                        "2\r\n" + json + "\r\n0\r\n\r\n", 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lyingFraming")
    void aBodyWhoseFramingLiesIsRejectedInTheEnvelopeAndWritesNothing(String description, String framing,
                                                                      String body, int status) {
        long before = eventCount();

        RawReply reply = RawHttp.exchange(port, ("POST /v1/payment_intents HTTP/1.1\r\nHost: localhost\r\n"
                + AUTHORIZATION + "\r\nContent-Type: application/json\r\n" + framing + "\r\nConnection: close\r\n\r\n"
                + body).getBytes(StandardCharsets.UTF_8));

        assertThat(reply.status()).as(description).isEqualTo(status);
        assertStripeEnvelope(reply, "invalid_request_error");
        assertThat(eventCount()).isEqualTo(before);
    }

    // --------------------------------------------------------------------------------------------------- nesting

    @Test
    void formKeysNestedDeeperThanTheApiAreRejectedPrecisely() {
        long before = eventCount();

        Reply six = postForm("/v1/payment_intents", "amount=2000&currency=usd&metadata[a][b][c][d][e]=x");
        Reply tenThousand = postForm("/v1/payment_intents", "amount=2000&currency=usd&metadata"
                + "[x]".repeat(10_000) + "=y");

        for (Reply reply : List.of(six, tenThousand)) {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.error().get("code").asText()).isEqualTo("parameter_invalid_string");
            assertThat(reply.error().get("param").asText()).isEqualTo("metadata");
            assertThat(reply.error().get("message").asText())
                    .isEqualTo("Invalid parameter: metadata is nested too deeply");
        }
        assertThat(eventCount()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"metadata[a=1", "metadata]a[=1", "[a]=1", "metadata[a]b=1", "metadata[[a]]=1"})
    void malformedBracketsInAFormKeyAreRejectedPrecisely(String field) {
        long before = eventCount();

        Reply reply = postForm("/v1/payment_intents", "amount=2000&currency=usd&" + field);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().get("code").asText()).isEqualTo("parameter_invalid_string");
        assertThat(reply.error().get("message").asText()).startsWith("Invalid parameter");
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void deeplyNestedJsonIsInvalidJsonNotAStackOverflow() {
        long before = eventCount();

        Reply objects = postJson("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\", \"metadata\": "
                + "{\"a\": ".repeat(10_000) + "1" + "}".repeat(10_001));
        Reply arrays = postJson("/v1/payment_intents", "{\"expand\": " + "[".repeat(100_000) + "]".repeat(100_000)
                + "}");

        for (Reply reply : List.of(objects, arrays)) {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.error().get("code").asText()).isEqualTo("invalid_json");
            assertThat(reply.error().get("message").asText()).startsWith("Invalid JSON received");
        }
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void jsonNestedWithinTheParserLimitButNotAsTheApiAllowsIsRejectedPrecisely() {
        Reply reply = postJson("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\", \"metadata\": "
                + "{\"a\": {\"b\": \"c\"}}}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().get("code").asText()).isEqualTo("parameter_invalid_string");
        assertThat(reply.error().get("param").asText()).startsWith("metadata");
    }

    // -------------------------------------------------------------------------------------------------- metadata

    @Test
    void fiftyMetadataKeysAreStoredAndFiftyOneAreRejected() {
        long before = eventCount();
        Reply fifty = postJson("/v1/payment_intents", create(metadata(50, 1, 1)));
        Reply fiftyOne = postJson("/v1/payment_intents", create(metadata(51, 1, 1)));
        Reply fiftyOneByForm = postForm("/v1/payment_intents", "amount=2000&currency=usd" + formMetadata(51));

        assertThat(fifty.status()).isEqualTo(200);
        assertThat(fifty.body().get("metadata").size()).isEqualTo(50);
        long afterFifty = eventCount();
        assertThat(afterFifty).isGreaterThan(before);
        for (Reply reply : List.of(fiftyOne, fiftyOneByForm)) {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.error().get("code").asText()).isEqualTo("parameter_invalid_string");
            assertThat(reply.error().get("param").asText()).isEqualTo("metadata");
            assertThat(reply.error().get("message").asText())
                    .isEqualTo("Invalid metadata: metadata can have at most 50 keys.");
        }
        assertThat(eventCount()).isEqualTo(afterFifty);
    }

    @Test
    void anUpdateThatWouldTakeMetadataPastFiftyKeysIsRejectedAndWritesNothing() {
        String id = createIntent(create(metadata(30, 1, 1)));
        long before = eventCount(id);
        Map<String, String> more = new LinkedHashMap<>();
        for (int i = 0; i < 21; i++) {
            more.put("more_" + i, "v");
        }

        Reply reply = postJson("/v1/payment_intents/" + id, "{\"metadata\": " + json(more) + "}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().get("message").asText())
                .isEqualTo("Invalid metadata: metadata can have at most 50 keys.");
        assertThat(eventCount(id)).isEqualTo(before);
    }

    @Test
    void metadataKeysOfFortyCharactersAreStoredAndFortyOneAreRejected() {
        String forty = "k".repeat(39) + "é";

        Reply stored = postJson("/v1/payment_intents", create(Map.of(forty, "v")));
        Reply rejected = postJson("/v1/payment_intents", create(Map.of(forty + "k", "v")));

        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.body().get("metadata").get(forty).asText()).isEqualTo("v");
        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.error().get("param").asText()).isEqualTo("metadata");
        assertThat(rejected.error().get("message").asText()).isEqualTo("Invalid metadata key: keys must be 1 to 40 "
                + "characters long and may not contain square brackets.");
    }

    @Test
    void metadataValuesOfFiveHundredCharactersAreStoredAndFiveHundredOneAreRejected() {
        String fiveHundred = "v".repeat(499) + "漢";

        Reply stored = postJson("/v1/payment_intents", create(Map.of("note", fiveHundred)));
        Reply rejected = postJson("/v1/payment_intents", create(Map.of("note", fiveHundred + "v")));

        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.body().get("metadata").get("note").asText()).isEqualTo(fiveHundred);
        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.error().get("param").asText()).isEqualTo("metadata[note]");
        assertThat(rejected.error().get("message").asText())
                .isEqualTo("Invalid metadata value: values may be at most 500 characters long.");
    }

    @Test
    void hugeMetadataIsRejectedWithoutWriting() {
        long before = eventCount();

        Reply thousands = postJson("/v1/payment_intents", create(metadata(5_000, 10, 10)));
        Reply longValues = postJson("/v1/payment_intents", create(metadata(50, 40, 4_000)));

        assertThat(thousands.status()).isEqualTo(400);
        assertThat(thousands.error().get("message").asText())
                .isEqualTo("Invalid metadata: metadata can have at most 50 keys.");
        assertThat(longValues.status()).isEqualTo(400);
        assertThat(longValues.error().get("message").asText())
                .isEqualTo("Invalid metadata value: values may be at most 500 characters long.");
        assertThat(eventCount()).isEqualTo(before);
    }

    // --------------------------------------------------------------------------------------------- invalid UTF-8

    static Stream<Arguments> invalidUtf8() {
        return Stream.of(
                arguments("a lone continuation byte", new byte[]{(byte) 0x80}),
                arguments("a truncated two-byte sequence", new byte[]{(byte) 0xC3, '('}),
                arguments("an overlong slash", new byte[]{(byte) 0xC0, (byte) 0xAF}),
                arguments("an encoded surrogate", new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                arguments("a truncated four-byte sequence", new byte[]{(byte) 0xF0, (byte) 0x9F, (byte) 0x98}),
                arguments("a byte that never occurs", new byte[]{(byte) 0xFF}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUtf8")
    void invalidUtf8IsRejectedInJsonFormAndQueryString(String description, byte[] bad) {
        long before = eventCount();
        String percentEncoded = percentEncode(bad);

        Reply json = sendBody("POST", "/v1/payment_intents", HttpRequest.BodyPublishers.ofByteArray(concat(
                        "{\"amount\": 2000, \"currency\": \"usd\", \"description\": \"", bad, "\"}")),
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json");
        Reply rawForm = sendBody("POST", "/v1/payment_intents", HttpRequest.BodyPublishers.ofByteArray(concat(
                        "amount=2000&currency=usd&description=", bad, "")),
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/x-www-form-urlencoded");
        Reply encodedForm = postForm("/v1/payment_intents", "amount=2000&currency=usd&description=" + percentEncoded);
        Reply query = get("/v1/payment_intents?customer=" + percentEncoded);
        Reply searchQuery = get("/v1/payment_intents/search?query=" + percentEncoded);

        for (Reply reply : List.of(json, rawForm, encodedForm, query, searchQuery)) {
            assertThat(reply.status()).as(description).isEqualTo(400);
            assertThat(reply.error().get("code").asText()).isEqualTo("invalid_request_body");
            assertThat(reply.error().get("message").asText()).isEqualTo("The request is not valid UTF-8.");
        }
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void invalidUtf8InThePathIsABadRequestInTheEnvelope() {
        RawReply reply = RawHttp.get(port, "/v1/payment_intents/pi_%C3%28");

        assertThat(reply.status()).isEqualTo(400);
        assertStripeEnvelope(reply, "invalid_request_error");
    }

    @Test
    void rawNonAsciiBytesInTheRequestTargetAreABadRequestInTheEnvelope() {
        RawReply reply = RawHttp.exchange(port, concat("GET /v1/payment_intents?customer=", new byte[]{(byte) 0xFF},
                " HTTP/1.1\r\nHost: localhost\r\n" + AUTHORIZATION + "\r\nConnection: close\r\n\r\n"));

        assertThat(reply.status()).isEqualTo(400);
        assertStripeEnvelope(reply, "invalid_request_error");
    }

    // ------------------------------------------------------------------------------------------------ NUL bytes

    @Test
    void aNulByteInThePathIsABadRequestInTheEnvelope() {
        RawReply reply = RawHttp.get(port, "/v1/payment_intents/pi_a%00b");

        assertThat(reply.status()).isEqualTo(400);
        assertStripeEnvelope(reply, "invalid_request_error");
    }

    @Test
    void aNulByteInAParameterNameIsRefused() {
        Reply reply = postForm("/v1/payment_intents", "amount=2000&currency=usd&desc%00ription=x");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().get("code").asText()).isEqualTo("parameter_invalid_string");
        assertThat(reply.error().get("param").asText()).isEqualTo("desc\u0000ription");
    }

    @ParameterizedTest
    @ValueSource(strings = {"description", "customer", "metadata_key", "metadata_value"})
    void aNulByteInAStoredStringIsRejectedOrStoredVerbatim(String field) {
        long before = eventCount();
        String nul = "a\u0000b";
        ObjectNode body = JSON.createObjectNode().put("amount", 2000).put("currency", "usd");
        switch (field) {
            case "metadata_key" -> body.putObject("metadata").put(nul, "v");
            case "metadata_value" -> body.putObject("metadata").put("k", nul);
            default -> body.put(field, nul);
        }

        Reply reply = postJson("/v1/payment_intents", body.toString());

        assertThat(reply.status()).isLessThan(500);
        if (reply.status() == 200) {
            Reply retrieved = get("/v1/payment_intents/" + reply.body().get("id").asText());
            assertThat(retrieved.status()).isEqualTo(200);
            assertThat(retrieved.body().toString()).contains("a\\u0000b");
        } else {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(eventCount()).isEqualTo(before);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/payment_intents?customer=a%00b", "/v1/payment_intents?starting_after=pi_a%00b",
            "/v1/payment_intents/search?query=customer%3A%22a%00b%22"})
    void aNulByteInAFilterCursorOrSearchValueIsAnsweredPrecisely(String path) {
        Reply reply = get(path);

        assertThat(reply.status()).isLessThan(500);
    }

    @Test
    void anUnpairedSurrogateIsRejectedOrStoredVerbatim() {
        Reply reply = postJson("/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\", "
                + "\"description\": \"x\\ud800y\"}");

        if (reply.status() == 200) {
            assertThat(reply.body().get("description").asText()).isEqualTo("x\ud800y");
        } else {
            assertThat(reply.status()).isEqualTo(400);
        }
    }

    @Test
    void aMultipartBodyIsRejectedPrecisely() {
        Reply reply = send("POST", "/v1/payment_intents", "amount=2000&currency=usd",
                "Authorization", bearer(SECRET_KEY), "Content-Type", "multipart/form-data");

        assertThat(reply.status()).isEqualTo(400);
    }

    @Test
    void theErrorPageRequestedDirectlyIsNotAServerError() {
        Reply reply = get("/error");

        assertThat(reply.status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /v1/payment_intents?0=a", "GET /v1/payment_intents/search?0=x&1=y",
            "GET /v1/payment_intents/search?=x", "POST 0=a&1=b"})
    void parametersNamedOnlyByPositionAreRejectedPrecisely(String request) {
        Reply reply = request.startsWith("GET ") ? get(request.substring(4))
                : postForm("/v1/payment_intents", request.substring(5));

        assertThat(reply.status()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*/*", "application/*"})
    void aWildcardContentTypeOnACrossOriginRequestIsRejectedPrecisely(String contentType) {
        Reply reply = send("POST", "/v1/payment_intents", "amount=2000&currency=usd", "Authorization",
                bearer(SECRET_KEY), "Content-Type", contentType, "Origin", "https://shop.example");

        assertThat(reply.status()).isEqualTo(400);
    }

    @Test
    void aRefusedCorsRequestIsAnsweredInTheEnvelope() {
        Reply reply = send("OPTIONS", "/v1/payment_intents", null, "Origin", "https://shop.example",
                "Access-Control-Request-Method", "PUT");

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
    }

    // ------------------------------------------------------------------------------------------ header injection

    static Stream<Arguments> headerInjection() {
        return Stream.of(
                arguments("bare CR in Idempotency-Key", "Idempotency-Key: key\rSet-Cookie: injected=1"),
                arguments("bare CR in Stripe-Version", "Stripe-Version: 2023-08-16\rSet-Cookie: injected=1"),
                arguments("bare LF in Idempotency-Key", "Idempotency-Key: key\nSet-Cookie: injected=1"),
                arguments("bare LF in Stripe-Version", "Stripe-Version: 2023-08-16\nX-Injected: 1"),
                arguments("a folded Stripe-Version", "Stripe-Version: 2023-08-16\r\n Set-Cookie: injected=1"),
                arguments("NUL in Stripe-Version", "Stripe-Version: 2023\u0000Set-Cookie: injected=1"),
                arguments("encoded CRLF in Stripe-Version", "Stripe-Version: 2023%0d%0aSet-Cookie: injected=1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerInjection")
    void aHeaderCarryingLineBreaksNeverSplitsTheResponse(String description, String header) {
        long before = eventCount();

        RawReply reply = RawHttp.exchange(port, ("POST /v1/payment_intents HTTP/1.1\r\nHost: localhost\r\n"
                + AUTHORIZATION + "\r\nContent-Type: application/json\r\n" + header
                + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1));

        assertThat(reply.status()).as(description).isEqualTo(400);
        assertStripeEnvelope(reply, "invalid_request_error");
        assertThat(reply.headers()).doesNotContainKeys("set-cookie", "x-injected");
        List<String> versions = reply.headers().getOrDefault("stripe-version", List.of());
        assertThat(versions).allMatch(v -> v.matches("[0-9A-Za-z._-]{1,64}"));
        assertThat(eventCount()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"<script>alert(1)</script>", "2023-08-16; Set-Cookie: x=1", "2023-08-16 OR 1=1",
            "'; DROP TABLE payment_intents; --", "../../etc/passwd",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void aStripeVersionWithUnexpectedCharactersIsAcceptedButNeverEchoed(String version) {
        Reply reply = send("GET", "/v1/payment_intents?limit=1", null, "Authorization", bearer(SECRET_KEY),
                "Stripe-Version", version);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Stripe-Version")).isNull();
        assertThat(reply.header("Request-Id")).startsWith("req_");
    }

    // ------------------------------------------------------------------------------- errors Tomcat answers itself

    static Stream<Arguments> malformedRequests() {
        String tail = " HTTP/1.1\r\nHost: localhost\r\n" + AUTHORIZATION + "\r\nConnection: close\r\n\r\n";
        return Stream.of(
                arguments("a raw double quote in the query", "GET /v1/payment_intents?customer=\"x\"" + tail, 400,
                        "Invalid character in the request URL"),
                arguments("raw angle brackets in the query", "GET /v1/payment_intents?customer=<x>" + tail, 400,
                        "Invalid character in the request URL"),
                arguments("a raw pipe in the query", "GET /v1/payment_intents?customer=a|b" + tail, 400,
                        "Invalid character in the request URL"),
                arguments("a raw brace in the query", "GET /v1/payment_intents?customer={x}" + tail, 400,
                        "Invalid character in the request URL"),
                arguments("a space in the query", "GET /v1/payment_intents?customer=a b" + tail, 400,
                        "Malformed request line"),
                arguments("a bad %-escape in the path", "GET /v1/payment_intents/pi_%ZZ" + tail, 400,
                        "Invalid percent-encoding"),
                arguments("an encoded slash in the path", "GET /v1/payment_intents/pi_a%2Fb" + tail, 400,
                        "encoded slash"),
                arguments("a method that is not a token", "G(E)T /v1/payment_intents" + tail, 400,
                        "Malformed request line"),
                arguments("no request line at all", "\u0001\u0002\u0003\r\n\r\n", 400, ""),
                arguments("an oversized header", "GET /v1/payment_intents HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                        + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n", 400, "larger than this service"),
                arguments("an oversized request line", "GET /v1/payment_intents?customer=" + "a".repeat(20_000)
                        + tail, 400, "larger than this service"),
                arguments("a header name with a space", "GET /v1/payment_intents HTTP/1.1\r\nHost: localhost\r\n"
                        + "Bad Header: x\r\nConnection: close\r\n\r\n", 400, ""),
                arguments("a control character in a header", "GET /v1/payment_intents HTTP/1.1\r\nHost: localhost\r\n"
                        + "X-A: a\u0001b\r\nConnection: close\r\n\r\n", 400, ""),
                arguments("two Host headers", "GET /v1/payment_intents HTTP/1.1\r\nHost: a\r\nHost: b\r\n"
                        + "Connection: close\r\n\r\n", 400, ""),
                arguments("an expectation that cannot be met", "POST /v1/payment_intents HTTP/1.1\r\nHost: localhost\r\n"
                        + "Expect: teapot\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", 417, "Expect"),
                arguments("an unknown HTTP version", "GET /v1/payment_intents HTTP/9.9\r\nHost: localhost\r\n"
                        + "Connection: close\r\n\r\n", 505, "HTTP version not supported"),
                arguments("an unknown transfer coding", "POST /v1/payment_intents HTTP/1.1\r\nHost: localhost\r\n"
                        + "Transfer-Encoding: rot13\r\nConnection: close\r\n\r\n{}", 501, "does not implement"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void aRequestTomcatRejectsItselfIsAnsweredInStripesEnvelopeWithARequestId(String description, String request,
                                                                               int status, String message) {
        RawReply reply = RawHttp.exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));

        assertThat(reply.status()).as(description).isEqualTo(status);
        assertStripeEnvelope(reply, status >= 500 ? "api_error" : "invalid_request_error");
        assertThat(reply.json().at("/error/message").asText()).contains(message);
        if (status >= 500) {
            assertThat(reply.headers()).doesNotContainKey("stripe-should-retry"); // retrying cannot help
        }
    }

    // ------------------------------------------------------------------------------------------------ SQL strings

    static final List<String> SQL_LOOKING = List.of(
            "'; DROP TABLE payment_intents; --",
            "\" OR 1=1 --",
            "' OR '1'='1",
            "$$; DELETE FROM domain_event_entry; $$",
            "$tag$ x $tag$",
            "\\'; SELECT pg_sleep(10); --",
            "back\\slash\\\\double",
            "' UNION SELECT * FROM idempotency_keys --",
            "%' AND customer LIKE '%",
            "Robert'); DROP TABLE students;--",
            "\"}, \"amount\": 1, \"x\": {\"",
            "🙂 漢字 ™ é \u202Eevil\u200B",
            "line\r\nbreak\ttab",
            "\\u0000 %00 literal",
            "{{7*7}} ${7*7} <script>alert(1)</script>");

    static Stream<String> sqlLooking() {
        return SQL_LOOKING.stream();
    }

    @ParameterizedTest
    @MethodSource("sqlLooking")
    void sqlLookingTextIsStoredAndReturnedVerbatimInEveryFreeTextField(String text) {
        String key = text.length() > 40 ? text.substring(0, 40) : text;
        ObjectNode body = JSON.createObjectNode().put("amount", 2000).put("currency", "usd")
                .put("description", text).put("customer", text);
        body.putObject("metadata").put(key, text).put("plain", text);

        Reply created = postJson("/v1/payment_intents", body.toString());

        assertThat(created.status()).isEqualTo(200);
        String id = created.body().get("id").asText();
        Reply retrieved = get("/v1/payment_intents/" + id);
        Reply updatedByForm = postForm("/v1/payment_intents/" + id, "description=" + encode(text + "!")
                + "&metadata[" + encode(key) + "]=" + encode(text + "?"));
        for (Reply reply : List.of(created, retrieved)) {
            assertThat(reply.body().get("description").asText()).isEqualTo(text);
            assertThat(reply.body().get("customer").asText()).isEqualTo(text);
            assertThat(reply.body().get("metadata").get(key).asText()).isEqualTo(text);
            assertThat(reply.body().get("metadata").get("plain").asText()).isEqualTo(text);
        }
        assertThat(updatedByForm.status()).isEqualTo(200);
        assertThat(updatedByForm.body().get("description").asText()).isEqualTo(text + "!");
        assertThat(updatedByForm.body().get("metadata").get(key).asText()).isEqualTo(text + "?");

        Reply listed = get("/v1/payment_intents?customer=" + encode(text));
        Reply byCustomer = get("/v1/payment_intents/search?query=" + encode("customer:" + quoted(text)));
        Reply byMetadata = get("/v1/payment_intents/search?query=" + encode("metadata[" + quoted("plain") + "]:"
                + quoted(text)));

        assertThat(listed.status()).isEqualTo(200);
        assertThat(ids(listed)).contains(id);
        assertThat(byCustomer.status()).isEqualTo(200);
        assertThat(ids(byCustomer)).contains(id);
        assertThat(byMetadata.status()).isEqualTo(200);
        assertThat(ids(byMetadata)).contains(id);
        assertTablesIntact();
    }

    @ParameterizedTest
    @MethodSource("sqlLooking")
    void sqlLookingTextWhereAnIdOrAChoiceIsExpectedIsRejectedPreciselyAndWritesNothing(String text) {
        String id = createIntent("{\"amount\": 2000, \"currency\": \"usd\"}");
        long before = eventCount();
        String encoded = encode(text);

        assertRejected(postJson("/v1/payment_intents/" + id + "/cancel",
                        JSON.createObjectNode().put("cancellation_reason", text).toString()),
                400, "parameter_invalid_string", "cancellation_reason");
        assertRejected(postJson("/v1/payment_intents", JSON.createObjectNode().put("amount", 2000)
                .put("currency", "usd").put("payment_method", text).toString()), 400, "resource_missing",
                "payment_method");
        assertRejected(postJson("/v1/payment_intents/" + id + "/confirm",
                JSON.createObjectNode().put("payment_method", text).toString()), 400, "resource_missing",
                "payment_method");
        assertRejected(postJson("/v1/payment_intents", JSON.createObjectNode().put("amount", 2000)
                .put("currency", text).toString()), 400, "invalid_currency", "currency");
        assertRejected(postJson("/v1/payment_intents", JSON.createObjectNode().put("amount", 2000)
                .put("currency", "usd").put("capture_method", text).toString()), 400, "parameter_invalid_string",
                "capture_method");
        assertRejected(get("/v1/payment_intents?status=" + encoded), 400, "parameter_invalid_string", "status");
        assertRejected(get("/v1/payment_intents?created=" + encoded), 400, "parameter_invalid_integer", "created");
        assertRejected(get("/v1/payment_intents?limit=" + encoded), 400, "parameter_invalid_integer", "limit");
        assertRejected(get("/v1/payment_intents?expand[]=" + encoded), 400, "parameter_invalid_string", "expand");
        assertRejected(get("/v1/payment_intents/search?query=" + encode("amount>0") + "&page=" + encoded), 400,
                "parameter_invalid_string", "page");

        Reply cursor = get("/v1/payment_intents?starting_after=" + encoded);
        assertRejected(cursor, 404, "resource_missing", "starting_after");
        assertThat(cursor.error().get("message").asText()).isEqualTo("No such payment_intent: '" + text + "'");
        Reply endingBefore = get("/v1/payment_intents?ending_before=" + encoded);
        assertRejected(endingBefore, 404, "resource_missing", "ending_before");

        String path = "/v1/payment_intents/" + encoded.replace("+", "%20");
        // Tomcat itself refuses an encoded slash or backslash in a path, before any id is looked up
        boolean tomcatRefuses = text.chars().anyMatch(c -> c == '\\' || c == '/');
        for (Reply reply : List.of(get(path), postJson(path, "{}"), postJson(path + "/confirm", "{}"),
                postJson(path + "/cancel", "{}"), postJson(path + "/capture", "{}"))) {
            if (tomcatRefuses) {
                assertThat(reply.status()).isEqualTo(400);
                assertThat(reply.header("Request-Id")).startsWith("req_");
                assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
                assertThat(reply.error().get("message").asText()).contains("request URL");
            } else {
                assertRejected(reply, 404, "resource_missing", "intent");
                assertThat(reply.error().get("message").asText())
                        .isEqualTo("No such payment_intent: '" + text + "'");
            }
        }

        Reply rawSearch = get("/v1/payment_intents/search?query=" + encoded);
        assertThat(rawSearch.status()).isIn(200, 400);
        if (rawSearch.status() == 400) {
            assertRejected(rawSearch, 400, "parameter_invalid_string", "query");
        }
        assertThat(eventCount()).isEqualTo(before);
        assertTablesIntact();
    }

    @Test
    void anSqlLookingIdempotencyKeyIsJustAKey() {
        String key = "'; DROP TABLE idempotency_keys; --";

        Reply first = send("POST", "/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json", "Idempotency-Key", key);
        Reply again = send("POST", "/v1/payment_intents", "{\"amount\": 2000, \"currency\": \"usd\"}",
                "Authorization", bearer(SECRET_KEY), "Content-Type", "application/json", "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("id")).isEqualTo(first.body().get("id"));
        assertTablesIntact();
    }

    private void assertTablesIntact() {
        for (String table : List.of("payment_intents", "domain_event_entry", "snapshot_event_entry",
                "idempotency_keys")) {
            assertThat(jdbc.queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, table))
                    .as(table).isTrue();
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM payment_intents", Long.class)).isPositive();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class)).isPositive();
    }

    private static void assertRejected(Reply reply, int status, String code, String param) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(status);
        assertThat(reply.header("Request-Id")).startsWith("req_");
        assertThat(reply.error().get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(reply.error().get("code").asText()).isEqualTo(code);
        assertThat(reply.error().get("param").asText()).isEqualTo(param);
        assertThat(reply.error().get("message").asText()).isNotBlank();
    }

    // --------------------------------------------------------------------------------------------------- helpers

    static void assertStripeEnvelope(RawReply reply, String type) {
        assertThat(reply.headers().get("content-type")).as(reply.toString()).containsExactly("application/json");
        assertThat(reply.headers().get("request-id")).as(reply.toString()).singleElement()
                .satisfies(id -> assertThat(id).matches("req_[0-9A-Za-z]{14}"));
        assertThat(reply.json()).as(reply.toString()).isNotNull();
        assertThat(reply.json().at("/error/type").asText()).isEqualTo(type);
        assertThat(reply.json().at("/error/message").asText()).isNotBlank();
        StripeSchemas.assertConforms("/v1/payment_intents", reply.json());
    }

    private static String create(Map<String, String> metadata) {
        return "{\"amount\": 2000, \"currency\": \"usd\", \"metadata\": " + json(metadata) + "}";
    }

    private static Map<String, String> metadata(int keys, int keyLength, int valueLength) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < keys; i++) {
            String key = "k" + i;
            metadata.put(key + "x".repeat(Math.max(0, keyLength - key.length())), "v".repeat(valueLength));
        }
        return metadata;
    }

    private static String formMetadata(int keys) {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < keys; i++) {
            form.append("&metadata[k").append(i).append("]=v");
        }
        return form.toString();
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> ids(Reply reply) {
        List<String> ids = new ArrayList<>();
        reply.body().get("data").forEach(intent -> ids.add(intent.get("id").asText()));
        return ids;
    }

    /** A search-language string literal: double quotes, with backslash escapes. */
    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String percentEncode(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xFF));
        }
        return out.toString();
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** One response read off a raw socket: status, headers by lower-cased name, the body and its JSON if any. */
    record RawReply(int status, Map<String, List<String>> headers, String body, JsonNode json) {
        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    /**
     * HTTP/1.1 by hand, for what {@link HttpClient} refuses to send: raw bytes in the request line, lying framing,
     * line breaks inside headers. Reads the first response on the connection.
     */
    static final class RawHttp {

        private RawHttp() {
        }

        static RawReply get(int port, String target) {
            return exchange(port, ("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + AUTHORIZATION
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }

        static RawReply exchange(int port, byte[] request) {
            try (Socket socket = new Socket("localhost", port)) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                socket.shutdownOutput();
                return parse(socket.getInputStream().readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static RawReply parse(byte[] response) throws IOException {
            String text = new String(response, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 ") || end < 0) {
                throw new IOException("not an HTTP/1.1 response: " + text);
            }
            String[] lines = text.substring(0, end).split("\r\n");
            int status = Integer.parseInt(lines[0].substring(9, 12));
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
            InputStream rest = new ByteArrayInputStream(response, end + 4, response.length - end - 4);
            byte[] body;
            if (headers.getOrDefault("transfer-encoding", List.of()).contains("chunked")) {
                body = dechunk(rest);
            } else if (headers.containsKey("content-length")) {
                body = rest.readNBytes(Integer.parseInt(headers.get("content-length").get(0)));
            } else {
                body = rest.readAllBytes();
            }
            String bodyText = new String(body, StandardCharsets.UTF_8);
            JsonNode json = null;
            if (!bodyText.isBlank()) {
                try {
                    json = JSON.readTree(bodyText);
                } catch (IOException notJson) {
                    json = null;
                }
            }
            return new RawReply(status, headers, bodyText, json);
        }

        private static byte[] dechunk(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                if (size.isBlank()) {
                    return body.toByteArray(); // the answer to a HEAD: headers only
                }
                int length = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (length == 0) {
                    return body.toByteArray();
                }
                body.writeBytes(in.readNBytes(length));
                line(in);
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}
