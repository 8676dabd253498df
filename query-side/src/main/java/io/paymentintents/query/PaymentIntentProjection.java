package io.paymentintents.query;

import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentAuthenticated;
import io.paymentintents.api.event.PaymentIntentProcessing;
import io.paymentintents.api.event.PaymentIntentRequiresAction;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentPaymentFailed;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.event.PaymentIntentUpdated;
import io.paymentintents.api.query.FindPaymentIntent;
import io.paymentintents.api.query.PaymentIntentView;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.axonframework.queryhandling.SubscriptionQueryMessage;
import org.springframework.stereotype.Component;

import java.util.HashSet;
import java.util.Set;

/**
 * Projects PaymentIntent events into {@code payment_intents}. Runs in a streaming processor whose token is stored
 * in the same transaction as the rows. After each change it tells subscribed readers (the gateway waiting to answer
 * a POST) the new state; the emitter delivers only after the transaction commits.
 */
@Component
@ProcessingGroup(PaymentIntentProjection.PROCESSING_GROUP)
public class PaymentIntentProjection {

    public static final String PROCESSING_GROUP = "payment-intents";

    private final PaymentIntentTable table;
    private final QueryUpdateEmitter updateEmitter;

    public PaymentIntentProjection(PaymentIntentTable table, QueryUpdateEmitter updateEmitter) {
        this.table = table;
        this.updateEmitter = updateEmitter;
    }

    @EventHandler
    void on(PaymentIntentCreated event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.insert(event, sequence));
    }

    @EventHandler
    void on(PaymentIntentUpdated event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.apply(event, sequence));
    }

    @EventHandler
    void on(PaymentIntentSucceeded event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.apply(event, sequence));
    }

    @EventHandler
    void on(PaymentIntentAmountCapturableUpdated event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.apply(event, sequence));
    }

    @EventHandler
    void on(PaymentIntentPaymentFailed event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.apply(event, sequence));
    }

    @EventHandler
    void on(PaymentIntentCaptured event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.apply(event, sequence));
    }

    @EventHandler
    void on(PaymentIntentCanceled event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.apply(event, sequence));
    }

    @EventHandler
    void on(PaymentIntentRequiresAction event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.apply(event, sequence));
    }

    @EventHandler
    void on(PaymentIntentAuthenticated event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.apply(event, sequence));
    }

    @EventHandler
    void on(PaymentIntentProcessing event, @SequenceNumber long sequence) {
        announce(event.paymentIntentId(), table.apply(event, sequence));
    }

    @ResetHandler
    void onReset() {
        table.deleteAll();
    }

    /**
     * Sends every reader waiting for an intent (a POST waiting to answer) that intent's row as it is now. A rebuild
     * calls this after it has switched tables: the last events its own projection applied were announced to no one,
     * and a POST waiting for one of them would otherwise wait until its timeout.
     */
    void announceToWaitingReaders() {
        Set<String> announced = new HashSet<>();
        for (SubscriptionQueryMessage<?, ?, ?> subscription : updateEmitter.activeSubscriptions()) {
            if (subscription.getPayload() instanceof FindPaymentIntent query
                    && announced.add(query.accountId() + "/" + query.paymentIntentId())) {
                table.find(query.accountId(), query.paymentIntentId()).ifPresent(this::emit);
            }
        }
    }

    private void announce(String paymentIntentId, boolean changed) {
        // Reading the row back costs a query, so do it only when someone is waiting (never during a replay).
        if (changed && !updateEmitter.activeSubscriptions().isEmpty()) {
            table.findById(paymentIntentId).ifPresent(this::emit);
        }
    }

    private void emit(PaymentIntentView view) {
        updateEmitter.emit(FindPaymentIntent.class,
                query -> query.paymentIntentId().equals(view.id()) && query.accountId().equals(view.accountId()),
                view);
    }
}
