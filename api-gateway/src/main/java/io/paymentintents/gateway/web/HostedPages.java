package io.paymentintents.gateway.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.context.support.WebApplicationContextUtils;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where the service's hosted test-mode pages are, as a customer's browser must reach them: under
 * {@code payments.public-base-url} when it is configured (a service behind a proxy or on another host name), else
 * under the origin the current request came to, which is right for a client that reaches the service directly.
 */
public final class HostedPages {

    public static final String AUTHENTICATE_PATH = "/test_mode/authenticate";

    /** Null: the origin of each request. */
    private final String configuredBase;

    public HostedPages(String configuredBase) {
        this.configuredBase = normalise(configuredBase);
    }

    /** The page where the customer completes or fails the authentication an intent in requires_action asks for. */
    public String authenticationUrl(String clientSecret) {
        return base() + AUTHENTICATE_PATH + "?client_secret=" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
    }

    private String base() {
        if (configuredBase != null) {
            return configuredBase;
        }
        try {
            return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
        } catch (IllegalStateException e) {
            return ""; // rendered outside a request (unit tests): a path relative to the service
        }
    }

    /**
     * The instance configured in the current request's application context; StripeObjects renders from static
     * code, called from every controller and error handler, so it finds its configuration here rather than being
     * handed it at each of those places.
     */
    public static HostedPages current() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            HttpServletRequest request = attributes.getRequest();
            WebApplicationContext context = WebApplicationContextUtils.getWebApplicationContext(
                    request.getServletContext());
            if (context != null) {
                HostedPages configured = context.getBeanProvider(HostedPages.class).getIfAvailable();
                if (configured != null) {
                    return configured;
                }
            }
        }
        return outsideRequests;
    }

    /** What renders outside any request (a webhook delivery's event): the configured base, if there is one. */
    private static volatile HostedPages outsideRequests = new HostedPages(null);

    public static void useOutsideRequests(HostedPages pages) {
        outsideRequests = pages;
    }

    /** A bad value stops the start, as a bad key does: every next_action URL would be wrong otherwise. */
    private static String normalise(String base) {
        if (base == null || base.isBlank()) {
            return null;
        }
        String trimmed = base.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("payments.public-base-url is not a URL: " + base);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("payments.public-base-url must be an http or https URL without query "
                    + "or fragment, such as https://payments.example.com: " + base);
        }
        return trimmed;
    }
}
