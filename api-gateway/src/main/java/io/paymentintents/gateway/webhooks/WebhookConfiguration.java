package io.paymentintents.gateway.webhooks;

import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.gateway.web.StripeEvents;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.StreamableMessageSource;
import org.axonframework.queryhandling.QueryGateway;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;

/**
 * Webhooks: the endpoints' table, the outbox and its event processor, the senders. The processor is registered
 * here rather than under {@code axon.eventhandling.processors} because it must start at the head of the event
 * stream: deployed onto an existing event store, or given a fresh token, it enqueues what happens from then on and
 * never sends history.
 */
@Configuration(proxyBeanMethods = false)
public class WebhookConfiguration {

    @Bean
    public WebhookSettings webhookSettings(
            @Value("${payments.webhooks.connect-timeout:5s}") Duration connectTimeout,
            @Value("${payments.webhooks.read-timeout:20s}") Duration readTimeout,
            @Value("${payments.webhooks.retry.first-delay:1m}") Duration firstDelay,
            @Value("${payments.webhooks.retry.max-delay:6h}") Duration maxDelay,
            @Value("${payments.webhooks.retry.max-age:3d}") Duration maxAge,
            @Value("${payments.webhooks.threads:4}") int threads,
            @Value("${payments.webhooks.max-in-flight:64}") int maxInFlight,
            @Value("${payments.webhooks.max-concurrent-per-endpoint:4}") int maxConcurrentPerEndpoint,
            @Value("${payments.webhooks.poll-interval:1s}") Duration pollInterval,
            @Value("${payments.webhooks.event-wait:1s}") Duration eventWait,
            @Value("${payments.webhooks.retention:30d}") Duration retention,
            @Value("${payments.webhooks.max-endpoints-per-account:16}") int maxEndpointsPerAccount) {
        if (threads < 1 || maxInFlight < 1 || maxConcurrentPerEndpoint < 1 || maxEndpointsPerAccount < 1) {
            throw new IllegalArgumentException("payments.webhooks: threads, max-in-flight, "
                    + "max-concurrent-per-endpoint and max-endpoints-per-account must be at least 1");
        }
        return new WebhookSettings(connectTimeout, readTimeout, new RetrySchedule(firstDelay, maxDelay, maxAge),
                threads, maxInFlight, maxConcurrentPerEndpoint, pollInterval, eventWait, retention,
                maxEndpointsPerAccount);
    }

    /** The gateway's migrations create the tables (V3, V4), so they run first. */
    @Bean
    public WebhookEndpoints webhookEndpoints(DataSource dataSource, PlatformTransactionManager transactionManager,
                                             @Qualifier("gatewayMigrations") Flyway gatewayMigrations,
                                             WebhookSettings settings) {
        return new WebhookEndpoints(new JdbcTemplate(dataSource), new TransactionTemplate(transactionManager),
                Clock.systemUTC(), settings.maxEndpointsPerAccount());
    }

    @Bean
    public WebhookDeliveries webhookDeliveries(DataSource dataSource, PlatformTransactionManager transactionManager,
                                               @Qualifier("gatewayMigrations") Flyway gatewayMigrations) {
        return new WebhookDeliveries(new JdbcTemplate(dataSource), new TransactionTemplate(transactionManager),
                Clock.systemUTC());
    }

    @Bean
    public StripeEventJson stripeEventJson(QueryGateway queryGateway, JsonMapper jsonMapper) {
        return new QueriedStripeEventJson(queryGateway, StripeEvents::event, jsonMapper);
    }

    @Bean
    public WebhookSender webhookSender(WebhookDeliveries deliveries, StripeEventJson events,
                                       ClientSecrets clientSecrets, WebhookSettings settings) {
        return new WebhookSender(deliveries, events, clientSecrets, settings, Clock.systemUTC());
    }

    @Bean
    public IntentAccounts intentAccounts(EventStore eventStore) {
        return new IntentAccounts(eventStore);
    }

    @Bean
    public WebhookOutbox webhookOutbox(WebhookDeliveries deliveries, IntentAccounts accounts, WebhookSender sender) {
        return new WebhookOutbox(deliveries, accounts, sender);
    }

    @Bean
    public WebhookDeliveryPruning webhookDeliveryPruning(WebhookDeliveries deliveries, WebhookSettings settings) {
        return new WebhookDeliveryPruning(deliveries, settings.retention());
    }

    /**
     * The {@value WebhookOutbox#PROCESSING_GROUP} processor: tracking (woken by each commit), one thread and
     * segment, its own token, starting at the head of the stream. A failing handler rolls the batch back and the
     * processor retries it, rather than logging the event away undelivered.
     *
     * <p>Its token is kept in {@code token_entry} (the query side's migration creates it) through the connection
     * of the processor's transaction, so it commits with the deliveries. The store is named here, with that table's
     * columns, because the gateway may run as a service of its own (api-gateway-app) where no other part of the
     * application declares that schema and Axon's default one names another table.
     */
    @Bean
    public ConfigurerModule webhookProcessor(@Value("${payments.webhooks.processor.batch-size:100}") int batchSize,
                                             @Value("${axon.eventhandling.tokenstore.claim-timeout:10s}")
                                             Duration claimTimeout, ConnectionProvider connectionProvider) {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerTrackingEventProcessor(WebhookOutbox.PROCESSING_GROUP,
                        org.axonframework.config.Configuration::eventStore,
                        c -> TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                                .andBatchSize(batchSize)
                                .andInitialTrackingToken(StreamableMessageSource::createHeadToken))
                .registerTokenStore(WebhookOutbox.PROCESSING_GROUP, c -> JdbcTokenStore.builder()
                        .connectionProvider(connectionProvider)
                        .schema(TOKEN_ENTRY)
                        .serializer(c.serializer())
                        .claimTimeout(claimTimeout)
                        .build())
                .registerListenerInvocationErrorHandler(WebhookOutbox.PROCESSING_GROUP,
                        c -> PropagatingErrorHandler.instance()));
    }

    /** {@code token_entry} as {@code db/query/V1__token_store.sql} creates it. */
    private static final TokenSchema TOKEN_ENTRY = TokenSchema.builder()
                                                              .setTokenTable("token_entry")
                                                              .setProcessorNameColumn("processor_name")
                                                              .setSegmentColumn("segment")
                                                              .setTokenColumn("token")
                                                              .setTokenTypeColumn("token_type")
                                                              .setTimestampColumn("time_stamp")
                                                              .setOwnerColumn("owner")
                                                              .build();
}
