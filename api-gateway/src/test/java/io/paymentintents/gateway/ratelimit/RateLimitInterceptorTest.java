package io.paymentintents.gateway.ratelimit;

import io.github.bucket4j.TimeMeter;
import io.paymentintents.gateway.auth.AuthenticationInterceptor;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.web.ApiException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletContext;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.StaticWebApplicationContext;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The interceptor over a real Bucket4j bucket on a clock the test moves. */
class RateLimitInterceptorTest {

    private static final Caller ALICE = new Caller("acct_a", "key_alice", true);
    private static final Caller BOB = new Caller("acct_a", "key_bob", true);

    private final FakeClock clock = new FakeClock();

    /** 2 requests per second, bursts of 5. */
    private final RateLimitInterceptor interceptor = new RateLimitInterceptor(
            RateLimiter.perKey(2, 5, clock, 1_000));

    @Test
    void aKeyMaySpendItsWholeBurstAtOnce() {
        for (int i = 0; i < 5; i++) {
            assertThat(call(ALICE).allowed()).as("request %d", i + 1).isTrue();
        }
    }

    @Test
    void theRequestAfterTheBurstIs429RateLimitWithRetryAfterAndShouldRetry() {
        spend(ALICE, 5);

        Outcome refused = call(ALICE);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.error().error().status()).isEqualTo(429);
        assertThat(refused.error().error().type()).isEqualTo("invalid_request_error");
        assertThat(refused.error().error().code()).isEqualTo("rate_limit");
        assertThat(refused.error().error().param()).isNull();
        assertThat(refused.error().error().message()).isEqualTo("Too many requests hit the API too quickly. We "
                + "recommend an exponential backoff of your requests.");
        // one token comes back every 500 ms: rounded up to whole seconds, never 0
        assertThat(refused.response().getHeader("Retry-After")).isEqualTo("1");
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        RateLimiter slow = RateLimiter.perKey(1, 1, clock, 10);
        assertThat(slow.tryAcquire("k").allowed()).isTrue();

        assertThat(slow.tryAcquire("k").retryAfterSeconds()).isEqualTo(1);
        clock.advance(Duration.ofMillis(999));
        assertThat(slow.tryAcquire("k").retryAfterSeconds()).isEqualTo(1); // 1 ms to go is still "1"
        clock.advance(Duration.ofMillis(1));
        assertThat(slow.tryAcquire("k").allowed()).isTrue();
    }

    @Test
    void tokensComeBackAtTheConfiguredRate() {
        spend(ALICE, 5);
        assertThat(call(ALICE).allowed()).isFalse();

        clock.advance(Duration.ofMillis(500));
        assertThat(call(ALICE).allowed()).isTrue();
        assertThat(call(ALICE).allowed()).isFalse();

        clock.advance(Duration.ofSeconds(10)); // refills to the burst, not beyond
        spend(ALICE, 5);
        assertThat(call(ALICE).allowed()).isFalse();
    }

    @Test
    void eachKeyHasItsOwnBucket() {
        spend(ALICE, 5);
        assertThat(call(ALICE).allowed()).isFalse();

        assertThat(call(BOB).allowed()).isTrue();
    }

    @Test
    void aRequestWithoutAnAuthenticatedCallerIsNotCounted() {
        MockHttpServletRequest preflight = new MockHttpServletRequest("OPTIONS", "/v1/payment_intents");
        for (int i = 0; i < 20; i++) {
            assertThat(interceptor.preHandle(preflight, new MockHttpServletResponse(), new Object())).isTrue();
        }
        spend(ALICE, 5);
    }

    @Test
    void disabledLetsEverythingThrough() {
        RateLimitInterceptor off = new RateLimitInterceptor(RateLimiter.disabled());
        for (int i = 0; i < 1_000; i++) {
            assertThat(off.preHandle(request(ALICE), new MockHttpServletResponse(), new Object())).isTrue();
        }
    }

    @Test
    void bucketsAreBoundedHoweverManyKeysCall() {
        RateLimiter limiter = RateLimiter.perKey(10, 10, clock, 100);

        for (int i = 0; i < 10_000; i++) {
            limiter.tryAcquire("key_" + i);
        }

        assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(100);
    }

    @Test
    void aBurstOfZeroMeansAsManyAsTheRate() {
        RateLimiter limiter = RateLimiter.perKey(3, 0, clock, 10);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("k").allowed()).isTrue();
        }
        assertThat(limiter.tryAcquire("k").allowed()).isFalse();
    }

    @Test
    void nonsensicalLimitsAreRefusedAtStartup() {
        assertThatThrownBy(() -> RateLimiter.perKey(0, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payments.rate-limit.requests-per-second");
        assertThatThrownBy(() -> RateLimiter.perKey(5, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payments.rate-limit.burst");
    }

    @Test
    void registeredWithoutALimiterItFindsTheBeanOfTheApplicationContext() {
        StaticWebApplicationContext context = new StaticWebApplicationContext();
        MockServletContext servletContext = new MockServletContext();
        context.setServletContext(servletContext);
        context.getBeanFactory().registerSingleton("rateLimiter", RateLimiter.perKey(1, 1, clock, 10));
        context.refresh();
        servletContext.setAttribute(WebApplicationContext.ROOT_WEB_APPLICATION_CONTEXT_ATTRIBUTE, context);
        RateLimitInterceptor lookingUp = new RateLimitInterceptor();

        MockHttpServletRequest first = request(ALICE, servletContext);
        MockHttpServletRequest second = request(ALICE, servletContext);

        assertThat(lookingUp.preHandle(first, new MockHttpServletResponse(), new Object())).isTrue();
        assertThatThrownBy(() -> lookingUp.preHandle(second, new MockHttpServletResponse(), new Object()))
                .isInstanceOf(ApiException.class);
    }

    private void spend(Caller caller, int requests) {
        for (int i = 0; i < requests; i++) {
            assertThat(call(caller).allowed()).as("request %d of %s", i + 1, caller.keyId()).isTrue();
        }
    }

    private Outcome call(Caller caller) {
        MockHttpServletResponse response = new MockHttpServletResponse();
        try {
            return new Outcome(interceptor.preHandle(request(caller), response, new Object()), null, response);
        } catch (ApiException e) {
            return new Outcome(false, e, response);
        }
    }

    private static MockHttpServletRequest request(Caller caller) {
        return request(caller, new MockServletContext());
    }

    private static MockHttpServletRequest request(Caller caller, MockServletContext servletContext) {
        MockHttpServletRequest request = new MockHttpServletRequest(servletContext, "GET", "/v1/payment_intents");
        request.setAttribute(AuthenticationInterceptor.CALLER, caller);
        return request;
    }

    private record Outcome(boolean allowed, ApiException error, MockHttpServletResponse response) {
    }

    private static final class FakeClock implements TimeMeter {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        void advance(Duration duration) {
            nanos.addAndGet(duration.toNanos());
        }

        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }
}
