package io.paymentintents.gateway.webhooks;

import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.events.StripeEventTypes;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;

import java.util.Optional;

/**
 * Puts webhook deliveries into the outbox: for each stored event that Stripe has a type for, one delivery per
 * enabled endpoint of the intent's account that listens to that type. It runs in the event processor
 * {@value #PROCESSING_GROUP}, whose token is stored in the same transaction as the deliveries, so an event is
 * enqueued exactly when the processor moves past it.
 *
 * <p>A delivery is a side effect that must not happen twice: the handler disallows replay, and with no handler
 * that allows it (and no reset handler) the processor refuses {@code resetTokens()}. A replay or reset of any other
 * processor has its own token and does not touch this one.
 */
@ProcessingGroup(WebhookOutbox.PROCESSING_GROUP)
public class WebhookOutbox {

    public static final String PROCESSING_GROUP = "webhooks";

    private final WebhookDeliveries deliveries;
    private final IntentAccounts accounts;
    private final WebhookSender sender;

    public WebhookOutbox(WebhookDeliveries deliveries, IntentAccounts accounts, WebhookSender sender) {
        this.deliveries = deliveries;
        this.accounts = accounts;
        this.sender = sender;
    }

    @EventHandler
    @DisallowReplay
    void on(PaymentIntentEvent event, EventMessage<?> message) {
        Optional<String> type = StripeEventTypes.of(event);
        if (type.isEmpty()) {
            return;
        }
        String accountId = accountOf(event);
        int enqueued = deliveries.enqueue(accountId, StripeEventTypes.eventId(message.getIdentifier()), type.get(),
                message.getTimestamp());
        if (enqueued > 0) {
            CurrentUnitOfWork.ifStarted(unitOfWork -> unitOfWork.afterCommit(committed -> sender.wake()));
        }
    }

    private String accountOf(PaymentIntentEvent event) {
        if (event instanceof PaymentIntentCreated created) {
            accounts.remember(created.paymentIntentId(), created.accountId());
            return created.accountId();
        }
        return accounts.of(event.paymentIntentId());
    }
}
