package io.paymentintents.gateway.auth;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.gateway.params.RequestParser;
import io.paymentintents.gateway.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.util.WebUtils;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Authenticates every {@code /v1} request by its API key: HTTP Basic with the key as user name and an empty
 * password (the LeanRails quickstart), or {@code Authorization: Bearer} (the CasaPay reference and the Stripe SDKs),
 * or, without that header, a publishable key as the {@code key} parameter (as Stripe.js sends it).
 *
 * <p>A publishable key may only call the endpoints marked {@link PublishableKeyAllowed}; elsewhere it gets Stripe's
 * 403 {@code secret_key_required}. A secret key is never taken from a parameter, where it would end up in URLs,
 * browser histories and access logs.
 */
public class AuthenticationInterceptor implements HandlerInterceptor {

    public static final String CALLER = AuthenticationInterceptor.class.getName() + ".caller";
    static final String SECRET_KEY_REQUIRED = "secret_key_required";
    static final String PUBLISHABLE_KEY_REFUSED = "This API call cannot be made with a publishable API key. Please use "
            + "a secret API key. You can find a list of your API keys with the operator command "
            + "'payment-intents.jar admin keys list' (see docs/operations.md).";

    private final Supplier<ApiKeyRegistry> registry;

    public AuthenticationInterceptor(ApiKeyRegistry registry) {
        this(() -> registry);
    }

    /** For registration in a {@code WebMvcConfigurer}, before the registry (and its database) exists. */
    public AuthenticationInterceptor(Supplier<ApiKeyRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if ("OPTIONS".equals(request.getMethod())) {
            return true;
        }
        String presented = presentedKey(request.getHeader("Authorization"));
        boolean fromParameter = false;
        if (presented == null) {
            presented = keyParameter(request);
            fromParameter = presented != null;
        }
        if (presented == null) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"PaymentIntents\"");
            throw new ApiException(new ApiError(401, ApiError.INVALID_REQUEST, null, null,
                    "You did not provide an API key. You need to provide your API key in the Authorization header, "
                            + "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY') or Basic auth with "
                            + "the key as the user name and an empty password.", null, null, -1));
        }
        String key = presented;
        Caller caller = registry.get().authenticate(key).orElseThrow(() -> new ApiException(new ApiError(401,
                ApiError.INVALID_REQUEST, null, null, "Invalid API Key provided: " + masked(key), null, null, -1)));
        if (fromParameter && caller.secretKey()) {
            throw new ApiException(new ApiError(401, ApiError.INVALID_REQUEST, null, null,
                    "A secret API key cannot be sent as the key parameter. Send it in the Authorization header "
                            + "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY') instead, and roll the key: it may "
                            + "have been logged on its way here.", null, null, -1));
        }
        if (!caller.secretKey() && !allowsPublishableKeys(handler)) {
            throw new ApiException(new ApiError(403, ApiError.INVALID_REQUEST, SECRET_KEY_REQUIRED, null,
                    PUBLISHABLE_KEY_REFUSED, null, null, -1));
        }
        request.setAttribute(CALLER, caller);
        return true;
    }

    private static boolean allowsPublishableKeys(Object handler) {
        return handler instanceof HandlerMethod method && method.hasMethodAnnotation(PublishableKeyAllowed.class);
    }

    /**
     * The {@code key} parameter: from the query string of a GET, from the body of a POST (read ahead by
     * {@link KeyParameterBodyFilter}). A body that cannot be parsed has no key here; the controller reports it once
     * the request is authenticated, which it then is not.
     */
    static String keyParameter(HttpServletRequest request) {
        try {
            Map<String, Object> parameters;
            if ("POST".equals(request.getMethod())) {
                KeyParameterBodyFilter.BufferedBodyRequest buffered =
                        WebUtils.getNativeRequest(request, KeyParameterBodyFilter.BufferedBodyRequest.class);
                if (buffered == null) {
                    return null;
                }
                String contentType = request.getContentType() == null ? ""
                        : request.getContentType().toLowerCase(Locale.ROOT);
                parameters = contentType.startsWith("application/json") || contentType.contains("+json")
                        ? RequestParser.parseJson(buffered.body()) : RequestParser.parseForm(buffered.body());
            } else {
                parameters = RequestParser.parseForm(request.getQueryString());
            }
            return parameters.get("key") instanceof String key && !key.isEmpty() ? key : null;
        } catch (ApiException e) {
            return null;
        }
    }

    static String presentedKey(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return null;
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space < 0) {
            return value;
        }
        String scheme = value.substring(0, space);
        String credentials = value.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return credentials;
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? decoded : decoded.substring(0, colon);
            } catch (IllegalArgumentException e) {
                return credentials;
            }
        }
        return value;
    }

    /** As Stripe does: enough of the key to recognise it, never enough to use it. */
    static String masked(String key) {
        if (key.length() < 12) {
            return "****";
        }
        int prefix = key.startsWith("sk_test_") || key.startsWith("pk_test_") ? 8 : 0;
        return key.substring(0, prefix) + "*".repeat(4) + key.substring(key.length() - 4);
    }
}
