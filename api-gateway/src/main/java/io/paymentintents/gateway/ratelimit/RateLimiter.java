package io.paymentintents.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

import java.time.Duration;

/**
 * A token bucket per API key: {@code burst} requests at once, refilled at {@code requestsPerSecond}. Buckets live in
 * a bounded cache and expire once idle for longer than a full refill takes, when a new bucket would be identical, so
 * forgetting them changes no answer and memory stays bounded however many keys call.
 */
public final class RateLimiter {

    /** The answer for one request: allowed, or refused until {@code retryAfterSeconds} (whole, at least 1) passed. */
    public record Decision(boolean allowed, long retryAfterSeconds) {
        static final Decision ALLOWED = new Decision(true, 0);
    }

    private static final long MAX_KEYS = 100_000;

    private final boolean enabled;
    private final long requestsPerSecond;
    private final long burst;
    private final TimeMeter clock;
    private final Cache<String, Bucket> buckets;

    private RateLimiter(boolean enabled, long requestsPerSecond, long burst, TimeMeter clock, long maxKeys) {
        this.enabled = enabled;
        this.requestsPerSecond = requestsPerSecond;
        this.burst = burst;
        this.clock = clock;
        long secondsToRefill = (burst + requestsPerSecond - 1) / Math.max(1, requestsPerSecond);
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterAccess(Duration.ofSeconds(secondsToRefill + 1))
                .build();
    }

    /**
     * @param requestsPerSecond the sustained rate, at least 1
     * @param burst             how many requests may arrive at once; 0 means as many as {@code requestsPerSecond}
     */
    public static RateLimiter perKey(long requestsPerSecond, long burst) {
        return perKey(requestsPerSecond, burst, TimeMeter.SYSTEM_NANOTIME, MAX_KEYS);
    }

    static RateLimiter perKey(long requestsPerSecond, long burst, TimeMeter clock, long maxKeys) {
        if (requestsPerSecond < 1) {
            throw new IllegalArgumentException("payments.rate-limit.requests-per-second must be at least 1, not "
                    + requestsPerSecond);
        }
        if (burst < 0) {
            throw new IllegalArgumentException("payments.rate-limit.burst must be at least 1 (or 0 for as many as "
                    + "requests-per-second), not " + burst);
        }
        return new RateLimiter(true, requestsPerSecond, burst == 0 ? requestsPerSecond : burst, clock, maxKeys);
    }

    public static RateLimiter disabled() {
        return new RateLimiter(false, 1, 1, TimeMeter.SYSTEM_NANOTIME, 1);
    }

    public boolean enabled() {
        return enabled;
    }

    public Decision tryAcquire(String key) {
        if (!enabled) {
            return Decision.ALLOWED;
        }
        ConsumptionProbe probe = buckets.get(key, k -> newBucket()).tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return Decision.ALLOWED;
        }
        long nanos = probe.getNanosToWaitForRefill();
        long seconds = nanos / 1_000_000_000L + (nanos % 1_000_000_000L == 0 ? 0 : 1);
        return new Decision(false, Math.max(1, seconds));
    }

    /** How many keys currently have a bucket (after pending expiries are applied). */
    long trackedKeys() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(requestsPerSecond, Duration.ofSeconds(1)))
                .withCustomTimePrecision(clock)
                .build();
    }
}
