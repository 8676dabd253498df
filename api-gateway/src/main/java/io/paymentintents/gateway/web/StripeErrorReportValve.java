package io.paymentintents.gateway.web;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.paymentintents.api.error.ApiError;
import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tomcat's last word on a request, in Stripe's envelope instead of an HTML page: the errors Tomcat answers itself,
 * before any filter or servlet runs (a request line with raw {@code " < > |} or spaces, bad %-escapes or an encoded
 * slash in the path, oversized or malformed headers, an unsupported HTTP version, TRACE), and any error response
 * that reached the host without a body.
 *
 * <p>It also gives every response a {@code Request-Id} before the request goes further, for the answers no filter
 * sees (Tomcat's own, and error pages for requests rejected before the filter chain); {@link RequestIdFilter}
 * replaces it with the id it logs whenever the request does get that far.
 */
public class StripeErrorReportValve extends ErrorReportValve {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (!response.isCommitted() && response.getHeader("Request-Id") == null) {
            response.setHeader("Request-Id", newRequestId());
        }
        super.invoke(request, response);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String detail = throwable != null ? throwable.getMessage() : response.getMessage();
        ApiError error = status >= 500
                ? new ApiError(status, ApiError.API_ERROR, null, null, message(status, detail), null, null, -1)
                : new ApiError(status, ApiError.INVALID_REQUEST, null, null, message(status, detail), null, null, -1);
        try {
            String body = JSON.writeValueAsString(StripeObjects.error(error, null));
            if (response.getHeader("Request-Id") == null) { // gone if the response was reset
                response.setHeader("Request-Id", newRequestId());
            }
            if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
                response.setHeader("Stripe-Should-Retry", "true");
            }
            response.setContentType("application/json");
            response.setContentLength(body.length());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response can no longer be written: nothing more to say
        }
    }

    /**
     * What went wrong, as precisely as Tomcat's diagnosis tells (its English wording; anything else reads as the
     * general message for the status). The offending input itself is never echoed.
     */
    static String message(int status, String detail) {
        String d = detail == null ? "" : detail;
        if (status == 400) {
            if (d.contains("header is too large")) {
                return "The request line or headers are larger than this service accepts.";
            }
            if (d.contains("request target")) {
                return "Invalid character in the request URL: spaces, quotes, <, >, \\, ^, `, {, |, } and control "
                        + "characters must be percent-encoded.";
            }
            if (d.contains("HTTP protocol")) {
                return "Malformed request line: it must be a method, a URL without spaces, and HTTP/1.1.";
            }
            if (d.contains("method name")) {
                return "Malformed request line: the HTTP method is not valid.";
            }
            if (d.contains("hexadecimal")) {
                return "Invalid percent-encoding in the request URL: % must be followed by two hexadecimal digits.";
            }
            if (d.contains("encoded slash") || d.contains("encoded reverse solidus") || d.contains("encoded back")) {
                return "The request URL's path may not contain an encoded slash (%2F) or backslash (%5C).";
            }
            if (d.contains("header")) {
                return "Malformed request header: header values may not contain control characters such as CR, LF "
                        + "or NUL.";
            }
            if (d.startsWith("Invalid URI")) {
                return "The request URL is not valid.";
            }
            return "The request could not be parsed: its request line, URL, headers or body framing is malformed.";
        }
        return switch (status) {
            case 404 -> "Unrecognized request URL.";
            case 405 -> "This method is not allowed for the request URL.";
            case 408 -> "The request took too long to arrive.";
            case 411 -> "A request body needs a Content-Length or chunked Transfer-Encoding.";
            case 413 -> "The request is larger than this service accepts.";
            case 414 -> "The request URL is longer than this service accepts.";
            case 417 -> "The Expect header's expectation cannot be met.";
            case 431 -> "The request headers are larger than this service accepts.";
            case 501 -> "The request asks for something this service does not implement, such as an unsupported "
                    + "Transfer-Encoding.";
            case 505 -> "HTTP version not supported: use HTTP/1.1.";
            default -> status >= 500 ? "An unexpected error occurred on our side."
                    : "The request could not be understood.";
        };
    }

    /** Not secret, and mostly replaced by the filter's: no need for the cost of SecureRandom here. */
    private static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[14];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return "req_" + new String(chars);
    }
}
