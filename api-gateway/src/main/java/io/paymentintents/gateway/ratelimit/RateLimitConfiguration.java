package io.paymentintents.gateway.ratelimit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code payments.rate-limit}: off unless {@code enabled}; then every API key gets {@code requests-per-second}
 * sustained and {@code burst} at once (as many as requests-per-second when not set).
 */
@Configuration(proxyBeanMethods = false)
public class RateLimitConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RateLimitConfiguration.class);

    @Bean
    public RateLimiter rateLimiter(@Value("${payments.rate-limit.enabled:false}") boolean enabled,
                                   @Value("${payments.rate-limit.requests-per-second:25}") long requestsPerSecond,
                                   @Value("${payments.rate-limit.burst:0}") long burst) {
        if (!enabled) {
            return RateLimiter.disabled();
        }
        RateLimiter limiter = RateLimiter.perKey(requestsPerSecond, burst);
        log.info("Rate limit: {} requests per second per API key, bursts of {}", requestsPerSecond,
                burst == 0 ? requestsPerSecond : burst);
        return limiter;
    }
}
