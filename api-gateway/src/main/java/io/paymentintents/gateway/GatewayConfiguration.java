package io.paymentintents.gateway;

import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.AuthenticationInterceptor;
import io.paymentintents.gateway.auth.DefaultAccount;
import io.paymentintents.gateway.auth.KeyParameterBodyFilter;
import io.paymentintents.gateway.ratelimit.RateLimitInterceptor;
import io.paymentintents.gateway.web.ApiArgumentResolvers;
import io.paymentintents.gateway.web.ContentTypeFilter;
import io.paymentintents.gateway.web.HostedPages;
import io.paymentintents.gateway.web.RequestIdFilter;
import io.paymentintents.gateway.web.StripeErrorReportValveInstaller;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.queryhandling.QueryGateway;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.gateway.idempotency.FaultInjection;
import io.paymentintents.gateway.idempotency.IdempotencyKeyPruning;
import io.paymentintents.gateway.idempotency.IdempotencyStore;
import io.paymentintents.gateway.idempotency.IdempotentRequests;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

@Configuration(proxyBeanMethods = false)
@org.springframework.scheduling.annotation.EnableScheduling
public class GatewayConfiguration implements WebMvcConfigurer {

    private final int maxBodyBytes;
    private final ObjectProvider<ApiKeyRegistry> keyRegistry;

    public GatewayConfiguration(@Value("${payments.max-body-bytes:262144}") int maxBodyBytes,
                                ObjectProvider<ApiKeyRegistry> keyRegistry) {
        this.maxBodyBytes = maxBodyBytes;
        this.keyRegistry = keyRegistry;
    }

    /** Accounts and API keys, in the gateway's tables (which therefore must be migrated first). */
    @Bean
    public ApiKeyRegistry apiKeyRegistry(DataSource dataSource,
                                         @Qualifier("gatewayMigrations") Flyway gatewayMigrations,
                                         @Value("${payments.keys.cache-ttl:2s}") Duration cacheTtl) {
        return new ApiKeyRegistry(new JdbcTemplate(dataSource), Clock.systemUTC(), cacheTtl);
    }

    @Bean
    public DefaultAccount defaultAccount(@Value("${payments.keys.secret:}") String secretKey,
                                         @Value("${payments.keys.publishable:}") String publishableKey,
                                         @Value("${payments.data-dir:./data}") Path dataDirectory,
                                         ApiKeyRegistry keyRegistry) {
        DefaultAccount account = DefaultAccount.load(secretKey.trim(), publishableKey.trim(), dataDirectory);
        account.registerWith(keyRegistry);
        return account;
    }

    @Bean
    public ApplicationListener<ApplicationReadyEvent> printDefaultKeys(DefaultAccount account,
                                                                       @Value("${local.server.port:8080}") int port) {
        return event -> account.printKeys(event.getApplicationContext().getEnvironment()
                .getProperty("local.server.port", Integer.class, port));
    }

    @Bean
    public IdempotentRequests idempotentRequests(DataSource dataSource,
                                                 @Value("${payments.idempotency.retention:24h}") Duration retention,
                                                 @Value("${payments.idempotency.stale-after:60s}") Duration staleAfter,
                                                 @Value("${payments.fault-injection.halt-once-for-keys-starting-with:}")
                                                 String haltKeyPrefix,
                                                 @Value("${payments.data-dir:./data}") Path dataDirectory,
                                                 ClientSecrets clientSecrets) {
        Clock clock = Clock.systemUTC();
        return new IdempotentRequests(new IdempotencyStore(new JdbcTemplate(dataSource), clock, staleAfter), clock,
                retention, new FaultInjection(haltKeyPrefix, dataDirectory.resolve("injected-faults")), clientSecrets);
    }

    /** Idempotency keys are kept for the retention period (24 hours by default, as Stripe), then pruned. */
    @Bean
    public IdempotencyKeyPruning idempotencyKeyPruning(IdempotentRequests idempotentRequests) {
        return new IdempotencyKeyPruning(idempotentRequests);
    }

    @Bean
    public PaymentIntentIds paymentIntentIds() {
        return new PaymentIntentIds();
    }

    @Bean
    public PaymentIntentService paymentIntentService(CommandGateway commandGateway, QueryGateway queryGateway,
                                                     @Value("${payments.read-model-timeout:10s}") Duration timeout,
                                                     @Value("${payments.concurrency-retries:3}") int retries,
                                                     @Value("${payments.read-model-poll.first-delay:10ms}")
                                                     Duration firstPollDelay,
                                                     @Value("${payments.read-model-poll.max-delay:250ms}")
                                                     Duration maxPollDelay,
                                                     ObjectProvider<ReadModelLocality> locality) {
        return new PaymentIntentService(commandGateway, queryGateway, timeout, retries, firstPollDelay,
                maxPollDelay, locality.getIfAvailable(() -> ReadModelLocality.UNKNOWN));
    }

    /**
     * Where the hosted test-mode pages are linked from next_action: {@code payments.public-base-url} (for a service
     * behind a proxy), else the origin each request came to.
     */
    @Bean
    public HostedPages hostedPages(@Value("${payments.public-base-url:}") String publicBaseUrl) {
        HostedPages pages = new HostedPages(publicBaseUrl);
        HostedPages.useOutsideRequests(pages);
        return pages;
    }

    /** Reads a key-less POST's body ahead, for a publishable key sent as the {@code key} parameter (Stripe.js). */
    @Bean
    public FilterRegistrationBean<KeyParameterBodyFilter> keyParameterBodyFilter() {
        FilterRegistrationBean<KeyParameterBodyFilter> registration =
                new FilterRegistrationBean<>(new KeyParameterBodyFilter(maxBodyBytes));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    @Bean
    public FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
        FilterRegistrationBean<RequestIdFilter> registration = new FilterRegistrationBean<>(new RequestIdFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /** Errors Tomcat answers itself (a malformed request line, oversized headers) in Stripe's envelope too. */
    @Bean
    public StripeErrorReportValveInstaller stripeErrorReportValveInstaller() {
        return new StripeErrorReportValveInstaller();
    }

    @Bean
    public static org.springframework.beans.factory.config.BeanPostProcessor stripeCorsProcessorInstaller() {
        return io.paymentintents.gateway.web.StripeCorsProcessor.installer();
    }

    @Bean
    public FilterRegistrationBean<ContentTypeFilter> contentTypeFilter() {
        FilterRegistrationBean<ContentTypeFilter> registration = new FilterRegistrationBean<>(new ContentTypeFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1); // right after the request id is set
        return registration;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new AuthenticationInterceptor(keyRegistry::getObject)).addPathPatterns("/v1/**");
        registry.addInterceptor(new RateLimitInterceptor()).addPathPatterns("/v1/**");
    }

    /**
     * Browsers may call the API directly (as Stripe.js does with a publishable key): any origin, the headers the
     * SDKs send, and our response headers readable by scripts. No cookies are involved, so no credentials mode.
     */
    @Override
    public void addCorsMappings(CorsRegistry registry) {
        registry.addMapping("/v1/**")
                .allowedOriginPatterns("*")
                .allowedMethods("GET", "POST")
                .allowedHeaders("Authorization", "Content-Type", "Idempotency-Key", "Stripe-Version",
                        "X-Stripe-Client-User-Agent")
                .exposedHeaders("Request-Id", "Stripe-Version", "Stripe-Should-Retry")
                .maxAge(600);
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.addAll(ApiArgumentResolvers.all(maxBodyBytes));
    }
}
