package io.paymentintents.gateway.auth;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.gateway.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.HandlerInterceptor;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Authenticates every {@code /v1} request by its API key: HTTP Basic with the key as user name and an empty
 * password (the LeanRails quickstart), or {@code Authorization: Bearer} (the CasaPay reference and the Stripe SDKs).
 */
public class AuthenticationInterceptor implements HandlerInterceptor {

    public static final String CALLER = AuthenticationInterceptor.class.getName() + ".caller";

    private final ApiKeyRegistry registry;

    public AuthenticationInterceptor(ApiKeyRegistry registry) {
        this.registry = registry;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if ("OPTIONS".equals(request.getMethod())) {
            return true;
        }
        String presented = presentedKey(request.getHeader("Authorization"));
        if (presented == null) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"PaymentIntents\"");
            throw new ApiException(new ApiError(401, ApiError.INVALID_REQUEST, null, null,
                    "You did not provide an API key. You need to provide your API key in the Authorization header, "
                            + "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY') or Basic auth with "
                            + "the key as the user name and an empty password.", null, null, -1));
        }
        Caller caller = registry.authenticate(presented).orElseThrow(() -> new ApiException(new ApiError(401,
                ApiError.INVALID_REQUEST, null, null, "Invalid API Key provided: " + masked(presented), null, null,
                -1)));
        if (!caller.secretKey()) {
            throw new ApiException(new ApiError(401, ApiError.INVALID_REQUEST, null, null,
                    "This API call cannot be made with a publishable API key. Please use a secret API key.",
                    null, null, -1));
        }
        request.setAttribute(CALLER, caller);
        return true;
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
