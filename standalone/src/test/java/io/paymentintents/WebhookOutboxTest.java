package io.paymentintents;

import com.zaxxer.hikari.HikariDataSource;
import com.stripe.net.Webhook;
import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.gateway.GatewaySchemaConfiguration;
import io.paymentintents.gateway.webhooks.RetrySchedule;
import io.paymentintents.gateway.webhooks.WebhookDeliveries;
import io.paymentintents.gateway.webhooks.WebhookDeliveries.Claim;
import io.paymentintents.gateway.webhooks.WebhookDeliveries.Outcome;
import io.paymentintents.gateway.webhooks.WebhookEndpoint;
import io.paymentintents.gateway.webhooks.WebhookEndpoints;
import io.paymentintents.gateway.webhooks.StripeEventJson;
import io.paymentintents.gateway.webhooks.WebhookSender;
import io.paymentintents.gateway.webhooks.WebhookSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox's rules, against a PostgreSQL of its own (so that no sender of a running service takes part): which
 * events become deliveries, how senders claim them (never the same one twice, never more than the bound per
 * endpoint, whichever process asks), what a lease that runs out means, how attempts reschedule; and a sender
 * that waits for an event the events read model does not have yet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookOutboxTest {

    private static final Duration LEASE = Duration.ofMinutes(1);
    private static final RetrySchedule SCHEDULE = new RetrySchedule(Duration.ofMinutes(1), Duration.ofMinutes(4),
            Duration.ofHours(1));

    private EmbeddedPostgres postgres;
    private HikariDataSource dataSource;
    private JdbcTemplate jdbc;
    private WebhookEndpoints endpoints;
    private WebhookDeliveries deliveries;
    private String account;

    @BeforeAll
    void database() throws Exception {
        postgres = EmbeddedPostgres.start();
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setMaximumPoolSize(8);
        GatewaySchemaConfiguration.flyway(dataSource).migrate();
        jdbc = new JdbcTemplate(dataSource);
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        endpoints = new WebhookEndpoints(jdbc, transactions, Clock.systemUTC(), 16);
        deliveries = new WebhookDeliveries(jdbc, transactions, Clock.systemUTC());
    }

    @AfterAll
    void stop() throws Exception {
        dataSource.close();
        postgres.close();
    }

    @BeforeEach
    void freshAccount() {
        jdbc.update("DELETE FROM webhook_endpoints");
        account = "acct_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        jdbc.update("INSERT INTO accounts (id, name, created_at) VALUES (?, 'outbox', now())", account);
    }

    private WebhookEndpoint endpoint(String... types) {
        String id = "we_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        return endpoints.create(id, account, "http://127.0.0.1:9/" + id, List.of(types), null, Map.of());
    }

    private static String event() {
        return "evt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    @Test
    void anEventBecomesOneDeliveryPerEnabledListeningEndpointOfItsAccountOnlyOnce() {
        WebhookEndpoint all = endpoint("*");
        WebhookEndpoint succeeded = endpoint("payment_intent.succeeded");
        WebhookEndpoint canceled = endpoint("payment_intent.canceled");
        WebhookEndpoint disabled = endpoint("*");
        endpoints.update(account, disabled.id(), new WebhookEndpoints.Changes(null, null, true, false, null, false,
                null));
        String other = "acct_other" + UUID.randomUUID().toString().substring(0, 6);
        jdbc.update("INSERT INTO accounts (id, name, created_at) VALUES (?, 'other', now())", other);
        String event = event();

        int inserted = deliveries.enqueue(account, event, "payment_intent.succeeded", Instant.now());
        int again = deliveries.enqueue(account, event, "payment_intent.succeeded", Instant.now());

        assertThat(inserted).isEqualTo(2);
        assertThat(again).as("an event handled twice is delivered once").isZero();
        assertThat(jdbc.queryForList("SELECT endpoint_id FROM webhook_deliveries WHERE event_id = ?", String.class,
                event)).containsExactlyInAnyOrder(all.id(), succeeded.id());
        assertThat(deliveries.enqueue(other, event(), "payment_intent.succeeded", Instant.now())).isZero();
        assertThat(canceled.enabledEvents()).containsExactly("payment_intent.canceled");
    }

    @Test
    void anEndpointGetsNoEventOlderThanItself() {
        Instant before = Instant.now().minusSeconds(60);
        endpoint("*");

        assertThat(deliveries.enqueue(account, event(), "payment_intent.created", before)).isZero();
        assertThat(deliveries.enqueue(account, event(), "payment_intent.created", Instant.now())).isEqualTo(1);
    }

    @Test
    void concurrentSendersNeverClaimTheSameDeliveryNorExceedTheBoundPerEndpoint() throws Exception {
        List<WebhookEndpoint> three = List.of(endpoint("*"), endpoint("*"), endpoint("*"));
        for (int i = 0; i < 20; i++) {
            deliveries.enqueue(account, event(), "payment_intent.created", Instant.now());
        }
        int perEndpoint = 2;
        Set<String> sent = new HashSet<>();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            while (sent.size() < 60) {
                List<Callable<List<Claim>>> round = new ArrayList<>();
                for (int s = 0; s < 4; s++) {
                    round.add(() -> deliveries.claim(5, perEndpoint, LEASE));
                }
                List<Claim> claimed = new ArrayList<>();
                for (Future<List<Claim>> result : senders.invokeAll(round)) {
                    claimed.addAll(result.get());
                }
                assertThat(claimed).as("some sender gets something while deliveries are due").isNotEmpty();
                Map<String, Integer> perEndpointClaimed = new HashMap<>();
                for (Claim claim : claimed) {
                    assertThat(sent.add(claim.deliveryId())).as("claimed once: %s", claim.deliveryId()).isTrue();
                    perEndpointClaimed.merge(claim.endpointId(), 1, Integer::sum);
                }
                assertThat(perEndpointClaimed.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
                claimed.forEach(claim -> deliveries.record(claim, new Outcome(Instant.now(), 204, 3L, null),
                        SCHEDULE));
            }
        } finally {
            senders.shutdownNow();
        }
        assertThat(deliveries.claim(5, perEndpoint, LEASE)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_deliveries WHERE state = 'succeeded'",
                Long.class)).isEqualTo(60);
        assertThat(three).hasSize(3);
    }

    @Test
    void aDeliveryWhoseLeaseRanOutIsClaimedAgainAndItsLostAttemptRecorded() throws Exception {
        endpoint("*");
        deliveries.enqueue(account, event(), "payment_intent.created", Instant.now());
        Claim first = deliveries.claim(1, 1, Duration.ofMillis(1)).get(0);
        assertThat(first.interruptedLeaseUntil()).isNull();
        Thread.sleep(20);

        Claim resend = deliveries.claim(1, 1, LEASE).get(0);

        assertThat(resend.deliveryId()).isEqualTo(first.deliveryId());
        assertThat(resend.interruptedLeaseUntil()).isNotNull();
        deliveries.recordInterrupted(resend, Duration.ofMillis(1));
        deliveries.record(resend, new Outcome(Instant.now(), 200, 5L, null), SCHEDULE);
        // the first holder's late result neither counts as the holder's nor reschedules anything
        deliveries.record(first, new Outcome(Instant.now(), 500, 7L, "the receiver answered 500"), SCHEDULE);
        assertThat(jdbc.queryForObject("SELECT state FROM webhook_deliveries WHERE id = ?", String.class,
                first.deliveryId())).isEqualTo("succeeded");
        assertThat(jdbc.queryForList("SELECT coalesce(status_code, 0) FROM webhook_delivery_attempts "
                + "WHERE delivery_id = ? ORDER BY attempt", Integer.class, first.deliveryId()))
                .containsExactly(0, 200, 500);
    }

    @Test
    void aFailedAttemptIsRetriedOnTheScheduleUntilTheMaximumAge() {
        endpoint("*");
        deliveries.enqueue(account, event(), "payment_intent.created", Instant.now());
        Claim claim = deliveries.claim(1, 1, LEASE).get(0);

        deliveries.record(claim, new Outcome(Instant.now(), null, 12L, "could not connect"), SCHEDULE);

        assertThat(jdbc.queryForObject("SELECT state FROM webhook_deliveries WHERE id = ?", String.class,
                claim.deliveryId())).isEqualTo("pending");
        assertThat(jdbc.queryForObject("SELECT next_attempt_at - now() BETWEEN interval '50 seconds' "
                + "AND interval '61 seconds' FROM webhook_deliveries WHERE id = ?", Boolean.class,
                claim.deliveryId())).as("due again after the first delay").isTrue();
        assertThat(deliveries.claim(1, 1, LEASE)).as("not before").isEmpty();

        jdbc.update("UPDATE webhook_deliveries SET next_attempt_at = now(), created_at = now() - interval '2 hours'");
        Claim late = deliveries.claim(1, 1, LEASE).get(0);
        deliveries.record(late, new Outcome(Instant.now(), 503, 9L, "the receiver answered 503"), SCHEDULE);
        assertThat(jdbc.queryForObject("SELECT state || ':' || coalesce(next_attempt_at::text, '-') "
                + "FROM webhook_deliveries WHERE id = ?", String.class, claim.deliveryId())).isEqualTo("failed:-");
        assertThat(SCHEDULE.delayAfter(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(SCHEDULE.delayAfter(3)).isEqualTo(Duration.ofMinutes(4));
        assertThat(SCHEDULE.delayAfter(30)).isEqualTo(Duration.ofMinutes(4));
    }

    @Test
    void aDeliveryWhoseEventIsNotInTheEventsReadModelYetWaitsWithoutCountingAnAttempt() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.answering(200)) {
            String id = "we_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
            endpoints.create(id, account, receiver.url(), List.of("*"), null, Map.of());
            String event = event();
            deliveries.enqueue(account, event, "payment_intent.created", Instant.now());
            AtomicInteger asked = new AtomicInteger();
            StripeEventJson readModel = (accountId, eventId) -> asked.incrementAndGet() < 3 ? Optional.empty()
                    : Optional.of("{\"id\": \"" + eventId + "\", \"object\": \"event\"}");
            ClientSecrets secrets = new ClientSecrets(new byte[32]);
            WebhookSender sender = new WebhookSender(deliveries, readModel, secrets, new WebhookSettings(
                    Duration.ofSeconds(2), Duration.ofSeconds(5), SCHEDULE, 2, 8, 2, Duration.ofMillis(100),
                    Duration.ofMillis(100), Duration.ofDays(1), 16), Clock.systemUTC());
            sender.start();
            try {
                WebhookReceiver.Received received = receiver.await(1).get(0);
                assertThat(Webhook.constructEvent(received.body(), received.signature(),
                        secrets.webhookSecret(id)).getId()).isEqualTo(event);
                WebhookReceiver.awaitTrue("the attempt recorded", () -> jdbc.queryForObject(
                        "SELECT state FROM webhook_deliveries WHERE event_id = ?", String.class, event)
                        .equals("succeeded"));
            } finally {
                sender.stop();
            }
            assertThat(asked.get()).isGreaterThanOrEqualTo(3);
            assertThat(jdbc.queryForObject("SELECT attempt_count FROM webhook_deliveries WHERE event_id = ?",
                    Integer.class, event)).as("waiting for the event is no attempt").isEqualTo(1);
        }
    }

    @Test
    void aPostponedDeliveryIsNoAttemptAndADisabledEndpointsDeliveriesWait() {
        WebhookEndpoint endpoint = endpoint("*");
        deliveries.enqueue(account, event(), "payment_intent.created", Instant.now());
        Claim claim = deliveries.claim(1, 1, LEASE).get(0);

        deliveries.postpone(claim, Duration.ZERO);
        endpoints.update(account, endpoint.id(), new WebhookEndpoints.Changes(null, null, true, false, null, false,
                null));

        assertThat(jdbc.queryForObject("SELECT attempt_count FROM webhook_deliveries", Integer.class)).isZero();
        assertThat(deliveries.claim(1, 1, LEASE)).as("a disabled endpoint's delivery waits").isEmpty();
        endpoints.update(account, endpoint.id(), new WebhookEndpoints.Changes(null, null, false, false, null, false,
                null));
        assertThat(deliveries.claim(1, 1, LEASE)).extracting(Claim::deliveryId).containsExactly(claim.deliveryId());
    }
}
