package io.paymentintents.gateway;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.Rejections;
import io.paymentintents.api.command.CommandOutcome;
import io.paymentintents.api.history.FindPaymentIntentAsOf;
import io.paymentintents.api.query.FindCharge;
import io.paymentintents.api.query.FindPaymentIntent;
import io.paymentintents.api.query.FindPaymentIntentByClientSecret;
import io.paymentintents.api.query.ListPaymentIntents;
import io.paymentintents.api.query.PaymentIntentPage;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.gateway.web.ApiException;
import io.paymentintents.gateway.web.MissingHandlers;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Sends PaymentIntent commands and answers with what the read model shows once it has caught up with them.
 *
 * <p>Read-your-writes: before a command is sent, the caller subscribes to the intent in the read model; the command
 * answers with the version its events reached, and the response waits for the read model to show at least that
 * version. A GET right after the POST therefore sees the same state, on any node: the read model is one table that
 * every node reads.
 *
 * <p>The subscription hears of the update only when this JVM's projection wrote it. With several nodes, the segment
 * holding the intent may be projected by another node, which tells only its own subscribers; the wait then also
 * reads the intent itself, at growing intervals ({@code payments.read-model-poll.first-delay} to {@code .max-delay}),
 * and answers with whichever shows the version first. Whether this node projects the intent is asked of
 * {@link ReadModelLocality}: on one node it always does, and no read is added.
 */
public class PaymentIntentService {

    private static final Logger log = LoggerFactory.getLogger(PaymentIntentService.class);
    /** How often a POST whose intent this node projects checks that it still does (and reads the read model). */
    private static final Duration LOCAL_CHECK = Duration.ofMillis(500);

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final Duration readModelTimeout;
    private final int concurrencyRetries;
    private final Duration firstPollDelay;
    private final Duration maxPollDelay;
    private final ReadModelLocality locality;

    public PaymentIntentService(CommandGateway commands, QueryGateway queries, Duration readModelTimeout,
                                int concurrencyRetries) {
        this(commands, queries, readModelTimeout, concurrencyRetries, Duration.ofMillis(10), Duration.ofMillis(250),
                ReadModelLocality.UNKNOWN);
    }

    public PaymentIntentService(CommandGateway commands, QueryGateway queries, Duration readModelTimeout,
                                int concurrencyRetries, Duration firstPollDelay, Duration maxPollDelay,
                                ReadModelLocality locality) {
        this.commands = commands;
        this.queries = queries;
        this.readModelTimeout = readModelTimeout;
        this.concurrencyRetries = concurrencyRetries;
        this.firstPollDelay = firstPollDelay;
        this.maxPollDelay = maxPollDelay.compareTo(firstPollDelay) < 0 ? firstPollDelay : maxPollDelay;
        this.locality = locality;
    }

    /** Sends a command that creates the intent; a repeated keyed create answers with the intent already made. */
    public PaymentIntentView create(String accountId, String paymentIntentId, Object command,
                                    Map<String, ?> metadata) {
        return execute(accountId, paymentIntentId, command, metadata, true, true);
    }

    /** Sends a command; a payment attempt it declines is answered as Stripe does, 402 {@code card_error}. */
    public PaymentIntentView execute(String accountId, String paymentIntentId, Object command,
                                     Map<String, ?> metadata) {
        return execute(accountId, paymentIntentId, command, metadata, false, true);
    }

    /**
     * Sends a command whose declined payment attempt is an outcome to show, not an error: a test helper succeeded
     * in doing what it was asked (authenticate, settle) even when the payment then failed, which the intent's
     * {@code last_payment_error} tells.
     */
    public PaymentIntentView executeShowingDeclines(String accountId, String paymentIntentId, Object command,
                                                    Map<String, ?> metadata) {
        return execute(accountId, paymentIntentId, command, metadata, false, false);
    }

    private PaymentIntentView execute(String accountId, String paymentIntentId, Object command,
                                      Map<String, ?> metadata, boolean creates, boolean declineIsError) {
        // The initial result is asked for as a (nullable) instance, not an Optional: Axon 4.13 sends a subscription
        // query's response type over Axon Server as it is, and a query side there would answer with an Optional,
        // which the wire format cannot carry. An absent intent is an empty initial result either way.
        SubscriptionQueryResult<PaymentIntentView, PaymentIntentView> subscription =
                queries.subscriptionQuery(new FindPaymentIntent(accountId, paymentIntentId),
                        ResponseTypes.instanceOf(PaymentIntentView.class),
                        ResponseTypes.instanceOf(PaymentIntentView.class));
        try {
            CommandOutcome outcome;
            try {
                outcome = sendWithRetries(GenericCommandMessage.asCommandMessage(command).andMetaData(metadata),
                        creates);
            } catch (AggregateStreamCreationException e) {
                if (!creates) {
                    throw e;
                }
                // The stream exists already: this is a retry of a keyed create. Answer with that intent.
                return awaitVersion(accountId, paymentIntentId, subscription, 0,
                        () -> new ApiException(ApiError.noSuchPaymentIntent(paymentIntentId)));
            }
            PaymentIntentView view = awaitVersion(accountId, paymentIntentId, subscription, outcome.version(),
                    this::readModelLagging);
            if (outcome.declined() != null && declineIsError) {
                var declined = outcome.declined();
                throw new ApiException(new ApiError(402, declined.type(), declined.code(), null, declined.message(),
                        declined.declineCode(), paymentIntentId, outcome.version()), view);
            }
            return view;
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            ApiError error = Rejections.apiErrorOf(e).orElseGet(() -> translate(e, paymentIntentId));
            PaymentIntentView view = error.paymentIntentId() == null ? null
                    : awaitVersion(accountId, paymentIntentId, subscription, error.paymentIntentVersion(),
                    this::readModelLagging);
            throw new ApiException(error, view);
        } finally {
            subscription.close();
        }
    }

    private CommandOutcome sendWithRetries(CommandMessage<?> command, boolean creates) {
        for (int attempt = 1; ; attempt++) {
            try {
                return commands.sendAndWait(command);
            } catch (ConcurrencyException e) {
                if (attempt > concurrencyRetries) {
                    throw e;
                }
                // Another request changed this intent between our load and our append: decide again on its state.
                log.debug("concurrent modification, attempt {} of {}", attempt, concurrencyRetries + 1);
            } catch (RuntimeException e) {
                if (causedBy(e, AggregateStreamCreationException.class) != null) {
                    throw causedBy(e, AggregateStreamCreationException.class);
                }
                boolean remoteConflict = Rejections.isConcurrentModification(e);
                if (remoteConflict && creates) {
                    // From a command side behind Axon Server, a create that conflicts arrives as a concurrent
                    // modification: the one conflict a new stream can meet is that it exists already.
                    throw new AggregateStreamCreationException("the payment intent exists already", e);
                }
                if ((causedBy(e, ConcurrencyException.class) == null && !remoteConflict)
                        || attempt > concurrencyRetries) {
                    throw e;
                }
            }
        }
    }

    private ApiError translate(RuntimeException e, String paymentIntentId) {
        if (MissingHandlers.forCommand(e)) {
            // no command side is connected to Axon Server: the command was not handled
            return ApiError.serviceUnavailable();
        }
        if (MissingHandlers.forQuery(e)) {
            // the command was handled, but no query side is connected to read its result back
            return readModelLagging().error();
        }
        if (causedBy(e, AggregateNotFoundException.class) != null) {
            return ApiError.noSuchPaymentIntent(paymentIntentId);
        }
        if (causedBy(e, ConcurrencyException.class) != null) {
            return ApiError.lockTimeout();
        }
        if (causedBy(e, EventStoreException.class) != null) {
            log.error("event store failure", e);
        }
        throw e;
    }

    private static <T extends Throwable> T causedBy(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /**
     * The first view of the intent at {@code version} or later: pushed by this JVM's projection, or read from the
     * read model, which another node's projection may have written. While another node projects the intent, the
     * read model is read again after a pause of a quarter of the time waited so far (at least
     * {@code firstPollDelay}, at most {@code maxPollDelay}): often at first, when the answer is due, and seldom when
     * the projection is held up (a dead node's segments not taken over yet). While this node projects it, the push
     * is what arrives, and the read model is read only every {@code LOCAL_CHECK}, in case the segment moved.
     */
    private PaymentIntentView awaitVersion(String accountId, String paymentIntentId,
                                           SubscriptionQueryResult<PaymentIntentView, PaymentIntentView> subscription,
                                           long version, Supplier<ApiException> onTimeout) {
        // Subscribing runs the initial query at once: that is the first read of the read model.
        CompletableFuture<PaymentIntentView> pushed = Flux.concat(subscription.initialResult(), subscription.updates())
                .filter(candidate -> candidate.version() >= version)
                .next()
                .toFuture();
        long start = System.nanoTime();
        long deadline = start + readModelTimeout.toNanos();
        try {
            for (long now = start; now < deadline; now = System.nanoTime()) {
                long pause = locality.projectedHere(paymentIntentId) ? LOCAL_CHECK.toNanos()
                        : Math.max(firstPollDelay.toNanos(), Math.min((now - start) / 4, maxPollDelay.toNanos()));
                try {
                    return pushed.get(Math.min(pause, deadline - now), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // not pushed yet: read the read model
                } catch (ExecutionException e) {
                    pushed = new CompletableFuture<>(); // the subscription failed: keep reading
                    log.debug("read-model subscription failed, reading instead", e.getCause());
                }
                Optional<PaymentIntentView> read = find(accountId, paymentIntentId);
                if (read.isPresent() && read.get().version() >= version) {
                    return read.get();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pushed.cancel(false);
        }
        throw onTimeout.get();
    }

    private ApiException readModelLagging() {
        return new ApiException(new ApiError(500, ApiError.API_ERROR, null, null,
                "The request was applied, but its result could not be read back in time. Retrieve the "
                        + "PaymentIntent to see its state.", null, null, -1));
    }

    public Optional<PaymentIntentView> find(String accountId, String paymentIntentId) {
        return queries.query(new FindPaymentIntent(accountId, paymentIntentId),
                ResponseTypes.optionalInstanceOf(PaymentIntentView.class)).join();
    }

    /** The intent as it was at the end of the second {@code asOf} (unix seconds), folded from the event store. */
    public Optional<PaymentIntentView> findAsOf(String accountId, String paymentIntentId, long asOf) {
        return queries.query(new FindPaymentIntentAsOf(accountId, paymentIntentId, asOf),
                ResponseTypes.optionalInstanceOf(PaymentIntentView.class)).join();
    }

    /** The account's intent that holds the charge {@code chargeId}. */
    public Optional<PaymentIntentView> findByCharge(String accountId, String chargeId) {
        return queries.query(new FindCharge(accountId, chargeId),
                ResponseTypes.optionalInstanceOf(PaymentIntentView.class)).join();
    }

    /** The intent whose client secret this is, of any account: what the hosted pages act on. */
    public Optional<PaymentIntentView> findByClientSecret(String clientSecret) {
        return queries.query(new FindPaymentIntentByClientSecret(clientSecret),
                ResponseTypes.optionalInstanceOf(PaymentIntentView.class)).join();
    }

    public PaymentIntentPage list(ListPaymentIntents query) {
        return queries.query(query, ResponseTypes.instanceOf(PaymentIntentPage.class)).join();
    }
}
