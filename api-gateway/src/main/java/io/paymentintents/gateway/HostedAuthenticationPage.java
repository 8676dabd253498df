package io.paymentintents.gateway;

import io.paymentintents.api.Currencies;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.command.AuthenticatePaymentIntent;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;
import io.paymentintents.gateway.web.HostedPages;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The test-mode stand-in for a bank's 3-D Secure page ({@code next_action.redirect_to_url.url}): the customer's
 * browser opens it without an API key, so the intent's client secret in the URL is the only credential, as it is
 * for Stripe's hosted pages. It lies outside {@code /v1}, so no API-key authentication, rate limit or CORS mapping
 * applies; the secret is checked here instead. The buttons complete or fail the authentication, and the customer is
 * sent back to the return_url with Stripe's query parameters.
 *
 * <p>The URL carries the secret: pages are not cached ({@code no-store}) and send no Referer. Framing stays allowed
 * because Stripe.js shows 3-D Secure pages in an iframe.
 */
@Controller
public class HostedAuthenticationPage {

    private static final Logger log = LoggerFactory.getLogger(HostedAuthenticationPage.class);

    /** The shape of a client secret; anything else is not looked up at all. */
    private static final Pattern CLIENT_SECRET = Pattern.compile("pi_[A-Za-z0-9_]{1,252}_secret_[A-Za-z0-9]{1,64}");
    private static final Map<String, Boolean> OUTCOMES = Map.of("success", true, "failure", false);
    /** After a completed authentication: the payment went through or is on its way (Stripe's redirect_status). */
    private static final Set<PaymentIntentStatus> SUCCEEDED = EnumSet.of(PaymentIntentStatus.SUCCEEDED,
            PaymentIntentStatus.REQUIRES_CAPTURE, PaymentIntentStatus.PROCESSING,
            PaymentIntentStatus.REQUIRES_CONFIRMATION);
    /** Schemes a return_url may not redirect to: they run or read something instead of opening a page. */
    private static final Set<String> REFUSED_SCHEMES = Set.of("javascript", "data", "vbscript", "file", "blob");

    private static final MediaType HTML = new MediaType("text", "html", StandardCharsets.UTF_8);

    private final PaymentIntentService service;

    public HostedAuthenticationPage(PaymentIntentService service) {
        this.service = service;
    }

    @GetMapping(HostedPages.AUTHENTICATE_PATH)
    public ResponseEntity<String> show(Params params, HttpServletRequest http) {
        Optional<PaymentIntentView> found = intentOf(params);
        if (found.isEmpty()) {
            return unknownSecret();
        }
        PaymentIntentView intent = found.get();
        if (intent.status() != PaymentIntentStatus.REQUIRES_ACTION) {
            return notAwaitingAuthentication(intent);
        }
        String action = escape(http.getContextPath() + HostedPages.AUTHENTICATE_PATH);
        StringBuilder body = new StringBuilder()
                .append("<h1>Authenticate this payment</h1>\n")
                .append("<p>This page stands in for the bank's 3-D Secure check. No bank is contacted and no ")
                .append("money moves.</p>\n<dl>\n<dt>Amount</dt><dd id=\"amount\">")
                .append(escape(amount(intent))).append("</dd>\n");
        if (intent.description() != null) {
            body.append("<dt>Description</dt><dd id=\"description\">").append(escape(intent.description()))
                    .append("</dd>\n");
        }
        body.append("</dl>\n")
                .append(button(action, intent.clientSecret(), "success", "complete", "Complete authentication"))
                .append(button(action, intent.clientSecret(), "failure", "fail", "Fail authentication"));
        // Chrome checks form-action along the redirect after the POST too, so the return_url's origin is allowed
        String formAction = returnUrl(intent.returnUrl()).flatMap(HostedAuthenticationPage::origin)
                .map(origin -> "'self' " + origin).orElse("'self'");
        return page(200, formAction).body(document("Authenticate this payment", body.toString()));
    }

    @PostMapping(HostedPages.AUTHENTICATE_PATH)
    public ResponseEntity<String> decide(Params params, HttpServletRequest http) {
        Optional<PaymentIntentView> found = intentOf(params);
        if (found.isEmpty()) {
            return unknownSecret();
        }
        PaymentIntentView before = found.get();
        if (before.status() != PaymentIntentStatus.REQUIRES_ACTION) {
            return notAwaitingAuthentication(before); // e.g. the button pressed twice, or after going back
        }
        Boolean succeeded = OUTCOMES.get(params.string("outcome").orElse(""));
        if (succeeded == null) {
            return message(400, "This request could not be read",
                    "The outcome must be success or failure. Use the buttons of the authentication page.");
        }
        PaymentIntentView after;
        try {
            after = service.executeShowingDeclines(before.accountId(), before.id(),
                    new AuthenticatePaymentIntent(before.id(), before.accountId(), succeeded),
                    PaymentIntentController.audit(before.accountId(), null, http, null));
        } catch (ApiException e) {
            if (ErrorCodes.PAYMENT_INTENT_UNEXPECTED_STATE.equals(e.error().code()) && e.paymentIntent() != null) {
                return notAwaitingAuthentication(e.paymentIntent()); // another request got there first
            }
            return message(e.error().status(), "The authentication could not be recorded", e.error().message());
        }
        boolean completed = succeeded && SUCCEEDED.contains(after.status());
        Optional<URI> returnUrl = returnUrl(before.returnUrl());
        if (returnUrl.isEmpty()) {
            return completed
                    ? message(200, "Authentication complete", "You can close this window.")
                    : message(200, "Authentication failed", "The payment was not made. You can close this window.");
        }
        Map<String, String> query = new LinkedHashMap<>();
        query.put("payment_intent", before.id());
        query.put("payment_intent_client_secret", before.clientSecret());
        query.put("redirect_status", completed ? "succeeded" : "failed");
        String location = withQuery(before.returnUrl(), query);
        return page(303, "'none'").header(HttpHeaders.LOCATION, location)
                .body(document("Returning", "<h1>Returning</h1>\n<p><a href=\"" + escape(location)
                        + "\">Continue</a></p>\n"));
    }

    /** A request the API's parser refuses (bad encoding, a NUL) gets a page, not the API's JSON envelope. */
    @ExceptionHandler(ApiException.class)
    public ResponseEntity<String> unreadable(ApiException e) {
        return message(e.error().status(), "This request could not be read", e.error().message());
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<String> unexpected(Exception e, HttpServletRequest http) {
        log.error("unexpected failure on {} {}", http.getMethod(), HostedPages.AUTHENTICATE_PATH, e);
        return message(500, "Something went wrong", "An unexpected error occurred on our side. Try again.");
    }

    /**
     * The intent of a genuine client secret, of any account. The read model answers only genuine ones; compared
     * again here in constant time, because this page is reachable by anyone.
     */
    private Optional<PaymentIntentView> intentOf(Params params) {
        String presented = params.string("client_secret").orElse("");
        if (!CLIENT_SECRET.matcher(presented).matches()) {
            return Optional.empty();
        }
        return service.findByClientSecret(presented).filter(intent -> MessageDigest.isEqual(
                intent.clientSecret().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8)));
    }

    private static ResponseEntity<String> unknownSecret() {
        return message(404, "Payment not found", "This link is not valid: no payment has this client secret.");
    }

    private static ResponseEntity<String> notAwaitingAuthentication(PaymentIntentView intent) {
        return message(409, "Nothing to authenticate", "This payment does not need authentication now: its status "
                + "is " + intent.status().wireName() + ". Only a payment whose status is requires_action can be "
                + "authenticated.");
    }

    private static ResponseEntity<String> message(int status, String title, String text) {
        return page(status, "'none'").body(document(title, "<h1>" + escape(title) + "</h1>\n<p id=\"message\">"
                + escape(text) + "</p>\n"));
    }

    private static ResponseEntity.BodyBuilder page(int status, String formAction) {
        return ResponseEntity.status(status)
                .contentType(HTML)
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                        + "form-action " + formAction)
                .header("Referrer-Policy", "no-referrer")
                .header("X-Content-Type-Options", "nosniff");
    }

    private static String button(String action, String clientSecret, String outcome, String id, String label) {
        return "<form method=\"post\" action=\"" + action + "\">\n"
                + "<input type=\"hidden\" name=\"client_secret\" value=\"" + escape(clientSecret) + "\">\n"
                + "<input type=\"hidden\" name=\"outcome\" value=\"" + outcome + "\">\n"
                + "<button type=\"submit\" id=\"" + id + "\">" + escape(label) + "</button>\n</form>\n";
    }

    private static String document(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<meta name=\"robots\" content=\"noindex\">\n<title>" + escape(title) + "</title>\n<style>\n"
                + "body{font-family:system-ui,sans-serif;background:#f6f8fa;color:#1a1f36;margin:0;padding:2rem}\n"
                + "main{max-width:28rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;"
                + "box-shadow:0 1px 3px rgba(0,0,0,.15)}\n"
                + ".mode{display:inline-block;background:#ffde92;color:#5a3d00;border-radius:4px;padding:.1rem .5rem;"
                + "font-size:.8rem;font-weight:600}\n"
                + "dt{font-size:.8rem;color:#697386}dd{margin:0 0 .8rem 0;font-size:1.1rem}\n"
                + "form{display:inline-block;margin:.5rem .5rem 0 0}\n"
                + "button{font-size:1rem;padding:.6rem 1rem;border-radius:6px;border:1px solid #c0c8d2;cursor:pointer}\n"
                + "#complete{background:#635bff;color:#fff;border-color:#635bff}\n"
                + "</style>\n</head>\n<body>\n<main>\n<p class=\"mode\">Test mode</p>\n" + body
                + "</main>\n</body>\n</html>\n";
    }

    /** The amount in the currency's major unit, with its own number of decimals (none for JPY). */
    static String amount(PaymentIntentView intent) {
        try {
            return Currencies.format(intent.amount(), intent.currency());
        } catch (IllegalArgumentException e) {
            return java.math.BigDecimal.valueOf(intent.amount(), 2).toPlainString() + " " + intent.currency();
        }
    }

    /** A return_url the browser may be sent to: absolute, and of a scheme that opens a page or an app. */
    static Optional<URI> returnUrl(String returnUrl) {
        if (returnUrl == null) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(returnUrl);
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme == null || REFUSED_SCHEMES.contains(scheme)
                    || ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() == null)) {
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** The CSP source of a return_url: its origin for web pages, its scheme for an app's own (myapp:). */
    static Optional<String> origin(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of(scheme + ":");
        }
        return Optional.of(scheme + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
    }

    /** Appends parameters to a URL's query, whether it has one or not, keeping its fragment last. */
    static String withQuery(String url, Map<String, String> parameters) {
        int hash = url.indexOf('#');
        String base = hash < 0 ? url : url.substring(0, hash);
        String fragment = hash < 0 ? "" : url.substring(hash);
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> query.append(query.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        String separator = !base.contains("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
        String joined = base + separator + query + fragment;
        try {
            return new URI(joined).toASCIIString(); // a header carries ASCII only: percent-encode the rest
        } catch (URISyntaxException e) {
            return joined; // cannot happen: the URL parsed before, and only encoded text was added
        }
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
