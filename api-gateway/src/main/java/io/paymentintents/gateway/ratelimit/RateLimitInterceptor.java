package io.paymentintents.gateway.ratelimit;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.gateway.auth.AuthenticationInterceptor;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Answers 429 {@code rate_limit} to a key that has used up its bucket. Runs right after authentication (the bucket
 * is the key's) and before anything that reads the body or remembers an Idempotency-Key, so a refused request costs
 * almost nothing, changes nothing, and may be retried with the same key.
 */
public class RateLimitInterceptor implements HandlerInterceptor {

    public static final String RATE_LIMIT = "rate_limit";
    static final String MESSAGE = "Too many requests hit the API too quickly. We recommend an exponential backoff of "
            + "your requests.";

    private volatile RateLimiter limiter;

    public RateLimitInterceptor(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /**
     * Finds the {@link RateLimiter} bean of the request's application context on first use, for registration in a
     * {@code WebMvcConfigurer} that has no handle on the bean.
     */
    public RateLimitInterceptor() {
        this.limiter = null;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(request.getAttribute(AuthenticationInterceptor.CALLER) instanceof Caller caller)) {
            return true; // not authenticated (a CORS preflight): nothing to count against
        }
        RateLimiter.Decision decision = limiter(request).tryAcquire(caller.keyId());
        if (decision.allowed()) {
            return true;
        }
        response.setHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
        throw new ApiException(new ApiError(429, ApiError.INVALID_REQUEST, RATE_LIMIT, null, MESSAGE, null, null, -1));
    }

    private RateLimiter limiter(HttpServletRequest request) {
        RateLimiter current = limiter;
        if (current == null) {
            WebApplicationContext context = WebApplicationContextUtils
                    .getRequiredWebApplicationContext(request.getServletContext());
            current = context.getBeanProvider(RateLimiter.class).getIfAvailable(RateLimiter::disabled);
            limiter = current;
        }
        return current;
    }
}
