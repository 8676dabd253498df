package io.paymentintents.command;

import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.Currencies;
import io.paymentintents.api.Money;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.CancellationReason;
import io.paymentintents.api.ProcessingReason;
import io.paymentintents.api.command.AuthenticatePaymentIntent;
import io.paymentintents.api.command.SettlePaymentIntent;
import io.paymentintents.api.event.PaymentIntentAuthenticated;
import io.paymentintents.api.event.PaymentIntentProcessing;
import io.paymentintents.api.event.PaymentIntentRequiresAction;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.common.IdentifierFactory;
import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.MetaData;
import org.axonframework.deadline.annotation.DeadlineHandler;
import io.paymentintents.api.command.CancelPaymentIntent;
import io.paymentintents.api.command.CapturePaymentIntent;
import io.paymentintents.api.command.CommandOutcome;
import io.paymentintents.api.command.ConfirmPaymentIntent;
import io.paymentintents.api.command.CreatePaymentIntent;
import io.paymentintents.api.command.UpdatePaymentIntent;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentPaymentFailed;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.event.PaymentIntentUpdated;
import io.paymentintents.command.processor.ProcessorResult;
import io.paymentintents.command.processor.PaymentMethodInfo;
import io.paymentintents.command.processor.PaymentProcessor;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.messaging.annotation.MetaDataValue;
import io.paymentintents.api.AuditMetadata;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;
import com.fasterxml.jackson.annotation.JsonAutoDetect;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.HashSet;
import java.util.Set;

import static io.paymentintents.api.PaymentIntentStatus.FAILED;
import static io.paymentintents.api.PaymentIntentStatus.PROCESSING;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_ACTION;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CAPTURE;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CONFIRMATION;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_PAYMENT_METHOD;
import static io.paymentintents.api.error.Rejections.reject;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * One payment, from creation to a final status. Command handlers check the status machine ({@link Operation}) and
 * the money rules, then apply events; only the event-sourcing handlers change state. Every handler answers a
 * {@link CommandOutcome} carrying the version its events reached.
 */
@Aggregate(type = PaymentIntent.TYPE, snapshotTriggerDefinition = "paymentIntentSnapshotTrigger",
        snapshotFilter = "paymentIntentSnapshotFilter", cache = "paymentIntentCache")
// Snapshots are this class serialized by Jackson: its state lives in private fields without getters.
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
// The snapshot format. Change it with any change to the fields: older snapshots are then ignored (the snapshot
// filter accepts only this revision) and the aggregate is rebuilt from its events.
@Revision(PaymentIntent.SNAPSHOT_REVISION)
public class PaymentIntent {

    /** The aggregate type stored with every event and snapshot (the {@code type} column). */
    static final String TYPE = "PaymentIntent";
    static final String SNAPSHOT_REVISION = "2";
    static final String AUTHENTICATION_FAILURE_MESSAGE = "The provided PaymentMethod has failed authentication. You "
            + "can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.";

    static final Set<String> SUPPORTED_PAYMENT_METHOD_TYPES = Set.of("card", "direct_debit", "open_banking");
    static final int MAX_METADATA_KEYS = 50;

    @AggregateIdentifier
    private String id;
    private String accountId;
    private long version;
    private PaymentIntentStatus status;
    private Money amount;
    private CaptureMethod captureMethod;
    private ConfirmationMethod confirmationMethod;
    /** Where the hosted authentication page sends the customer back to: from create, or the latest confirm. */
    private String returnUrl;
    /** The payment method the customer authenticated, when a manual confirm is still to charge it. */
    private String authenticatedPaymentMethod;
    /** The attempt of a {@code processing} intent, and why its outcome is still open. */
    private Charge pendingCharge;
    private ProcessingReason processingReason;
    private List<String> paymentMethodTypes;
    private String paymentMethod;
    private String customer;
    private String description;
    private Map<String, String> metadata;
    private long amountCapturable;
    private Charge heldCharge;
    private boolean hasLastPaymentError;
    /**
     * The keyed requests (digest of account, Idempotency-Key, endpoint and parameters) whose events are in this
     * stream. A request retried after a crash between storing its events and storing its response must not act
     * twice: it finds itself here and answers with the current state instead.
     */
    private Set<String> appliedRequests = new HashSet<>();

    protected PaymentIntent() {
        // for Axon: the aggregate is rebuilt from its events
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.ALWAYS)
    public CommandOutcome create(CreatePaymentIntent command, Clock clock, Identifiers identifiers,
                                 PaymentProcessor processor, DeadlineManager deadlineManager,
                                 PaymentTimings timings) {
        Money requested = checkedAmount(command.amount(), command.currency());
        List<String> types = command.paymentMethodTypes() == null || command.paymentMethodTypes().isEmpty()
                ? List.of("card") : List.copyOf(command.paymentMethodTypes());
        checkPaymentMethodTypes(types);
        PaymentMethodInfo method = command.paymentMethod() == null
                ? null : checkedPaymentMethod(command.paymentMethod(), types, processor);
        if (command.confirm() && method == null) {
            throw reject(ApiError.invalidRequest(ErrorCodes.PAYMENT_INTENT_UNEXPECTED_STATE, null,
                    missingPaymentMethodMessage()));
        }
        Map<String, String> initialMetadata = mergedMetadata(Map.of(), command.metadata(), false);
        apply(new PaymentIntentCreated(command.paymentIntentId(), command.accountId(), requested.amount(),
                requested.currency(), blankToNull(command.customer()), blankToNull(command.description()),
                initialMetadata, types, orDefault(command.captureMethod(), CaptureMethod.AUTOMATIC),
                orDefault(command.confirmationMethod(), ConfirmationMethod.AUTOMATIC),
                method == null ? null : method.id(), command.returnUrl(),
                method == null ? REQUIRES_PAYMENT_METHOD : REQUIRES_CONFIRMATION, clock.instant()));
        if (command.confirm()) {
            return attemptPayment(method, false, returnUrl,
                    new Services(clock, identifiers, processor, deadlineManager, timings));
        }
        return CommandOutcome.accepted(id, version);
    }

    @CommandHandler
    public CommandOutcome update(UpdatePaymentIntent command, Clock clock, PaymentProcessor processor,
                                 @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        checkAccount(command.accountId());
        if (alreadyApplied(idempotentRequest)) {
            return CommandOutcome.accepted(id, version);
        }
        checkAllowed(command.changesOnlyDescriptiveFields() ? Operation.UPDATE_DESCRIPTIVE_FIELDS : Operation.UPDATE);
        Money newAmount = command.amount() == null && command.currency() == null ? amount
                : checkedAmount(Objects.requireNonNullElse(command.amount(), amount.amount()),
                Objects.requireNonNullElse(command.currency(), amount.currency()));
        List<String> newTypes = command.paymentMethodTypes() == null || command.paymentMethodTypes().isEmpty()
                ? paymentMethodTypes : List.copyOf(command.paymentMethodTypes());
        checkPaymentMethodTypes(newTypes);
        // The attached method is checked against the new types too: narrowing the types must not strand it.
        String newPaymentMethod = command.paymentMethod() != null
                ? checkedPaymentMethod(command.paymentMethod(), newTypes, processor).id()
                : paymentMethod != null && command.paymentMethodTypes() != null
                ? checkedPaymentMethod(paymentMethod, newTypes, processor).id() : paymentMethod;
        String newCustomer = command.customer() == null ? customer : blankToNull(command.customer());
        String newDescription = command.description() == null ? description : blankToNull(command.description());
        Map<String, String> newMetadata = mergedMetadata(metadata, command.metadata(), command.clearMetadata());

        PaymentIntentStatus newStatus = newPaymentMethod != null && !newPaymentMethod.equals(paymentMethod)
                && (status == REQUIRES_PAYMENT_METHOD || status == REQUIRES_ACTION) ? REQUIRES_CONFIRMATION : status;
        boolean changed = !newAmount.equals(amount) || !newTypes.equals(paymentMethodTypes)
                || !Objects.equals(newPaymentMethod, paymentMethod) || !Objects.equals(newCustomer, customer)
                || !Objects.equals(newDescription, description) || !newMetadata.equals(metadata)
                || newStatus != status;
        // An update that changes nothing is a genuine no-op, except that it clears a previous payment error.
        if (changed || hasLastPaymentError) {
            apply(new PaymentIntentUpdated(id, newAmount.amount(), newAmount.currency(), newCustomer, newDescription,
                    newMetadata, newTypes, newPaymentMethod, newStatus, clock.instant()));
        }
        return CommandOutcome.accepted(id, version);
    }

    @CommandHandler
    public CommandOutcome confirm(ConfirmPaymentIntent command, Clock clock, Identifiers identifiers,
                                  PaymentProcessor processor, DeadlineManager deadlineManager,
                                  PaymentTimings timings,
                                  @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        checkAccount(command.accountId());
        if (alreadyApplied(idempotentRequest)) {
            return CommandOutcome.accepted(id, version);
        }
        checkAllowed(Operation.CONFIRM);
        String methodId = command.paymentMethod() != null ? command.paymentMethod() : paymentMethod;
        if (methodId == null) {
            throw reject(ApiError.unexpectedState(missingPaymentMethodMessage(), id, version));
        }
        PaymentMethodInfo method = checkedPaymentMethod(methodId, paymentMethodTypes, processor);
        // After authentication with confirmation_method=manual, the confirm that follows charges without asking
        // the customer again; any other method starts from the beginning.
        boolean authenticated = method.id().equals(authenticatedPaymentMethod);
        return attemptPayment(method, authenticated, command.returnUrl() != null ? command.returnUrl() : returnUrl,
                new Services(clock, identifiers, processor, deadlineManager, timings));
    }

    /** Test mode: the customer passed or failed 3-D Secure (the hosted page's buttons, or the test helper). */
    @CommandHandler
    public CommandOutcome authenticate(AuthenticatePaymentIntent command, Clock clock, Identifiers identifiers,
                                       PaymentProcessor processor, DeadlineManager deadlineManager,
                                       PaymentTimings timings,
                                       @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        checkAccount(command.accountId());
        if (alreadyApplied(idempotentRequest)) {
            return CommandOutcome.accepted(id, version);
        }
        checkAllowed(Operation.AUTHENTICATE);
        PaymentMethodInfo method = checkedPaymentMethod(paymentMethod, paymentMethodTypes, processor);
        Instant now = clock.instant();
        if (!command.succeeded()) {
            PaymentError error = new PaymentError(ApiError.INVALID_REQUEST,
                    ErrorCodes.PAYMENT_INTENT_AUTHENTICATION_FAILURE, null, AUTHENTICATION_FAILURE_MESSAGE,
                    method.id(), method.type(), null);
            apply(new PaymentIntentPaymentFailed(id, error, null, REQUIRES_PAYMENT_METHOD, now));
            return new CommandOutcome(id, version, error);
        }
        if (confirmationMethod == ConfirmationMethod.MANUAL) {
            // As at Stripe: the server confirms again, deciding when the money moves.
            apply(new PaymentIntentAuthenticated(id, method.id(), REQUIRES_CONFIRMATION, now));
            return CommandOutcome.accepted(id, version);
        }
        return attemptPayment(method, true, returnUrl,
                new Services(clock, identifiers, processor, deadlineManager, timings));
    }

    /** Test mode: the processor's final answer for a {@code processing} intent arrives now. */
    @CommandHandler
    public CommandOutcome settle(SettlePaymentIntent command, Clock clock, Identifiers identifiers,
                                 PaymentProcessor processor, DeadlineManager deadlineManager, PaymentTimings timings,
                                 @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        checkAccount(command.accountId());
        if (alreadyApplied(idempotentRequest)) {
            return CommandOutcome.accepted(id, version);
        }
        checkAllowed(Operation.SETTLE);
        ProcessorResult forced = command.succeeded() ? ProcessorResult.approved()
                : "card".equals(pendingCharge.paymentMethodType())
                ? ProcessorResult.declined("card_declined", "generic_decline", "Your card was declined.")
                : ProcessorResult.declined("payment_method_provider_decline", null,
                "The payment was declined by the customer's bank.");
        // The deadline still scheduled for this charge finds it decided and does nothing.
        return conclude(forced, new Services(clock, identifiers, processor, deadlineManager, timings), () -> {
        });
    }

    @DeadlineHandler(deadlineName = Deadlines.SETTLEMENT)
    void settlementDue(Deadlines.SettlementDue due, Clock clock, Identifiers identifiers, PaymentProcessor processor,
                       DeadlineManager deadlineManager, PaymentTimings timings) {
        if (!awaiting(ProcessingReason.SETTLEMENT, due.chargeId())) {
            return;
        }
        ProcessorResult settlement = processor.settle(pendingCharge.id(),
                new PaymentMethodInfo(pendingCharge.paymentMethod(), pendingCharge.paymentMethodType()));
        conclude(settlement, new Services(clock, identifiers, processor, deadlineManager, timings),
                () -> deadlineManager.schedule(timings.settlementDelay(), Deadlines.SETTLEMENT, timer(due)));
    }

    /**
     * The janitor: asks the processor what became of an attempt whose answer was lost, again and again with a
     * growing pause, until it knows. Meanwhile the intent is {@code processing}, so a client's retry of the confirm
     * is refused (or, with its Idempotency-Key, answered from what was stored) and never authorizes twice.
     */
    @DeadlineHandler(deadlineName = Deadlines.OUTCOME_QUERY)
    void outcomeQueryDue(Deadlines.OutcomeQueryDue due, Clock clock, Identifiers identifiers,
                         PaymentProcessor processor, DeadlineManager deadlineManager, PaymentTimings timings) {
        if (!awaiting(ProcessingReason.OUTCOME_UNKNOWN, due.chargeId())) {
            return;
        }
        ProcessorResult status = processor.queryStatus(pendingCharge.id(),
                new PaymentMethodInfo(pendingCharge.paymentMethod(), pendingCharge.paymentMethodType()));
        int next = due.attempt() + 1;
        conclude(status, new Services(clock, identifiers, processor, deadlineManager, timings),
                () -> deadlineManager.schedule(timings.outcomeQueryDelay(next), Deadlines.OUTCOME_QUERY,
                        timer(new Deadlines.OutcomeQueryDue(due.chargeId(), next))));
    }

    /** An authorization nobody captured in time is released, and the intent canceled as Stripe does. */
    @DeadlineHandler(deadlineName = Deadlines.CAPTURE_EXPIRY)
    void captureExpired(Deadlines.CaptureExpired due, Clock clock, PaymentProcessor processor) {
        if (status != REQUIRES_CAPTURE || heldCharge == null || !heldCharge.id().equals(due.chargeId())) {
            return;
        }
        processor.release(heldCharge.id());
        apply(new PaymentIntentCanceled(id, CancellationReason.AUTOMATIC, heldCharge.released(),
                PaymentIntentStatus.CANCELED, clock.instant()));
    }

    /**
     * A timer's message carries the intent's account, so that the events it causes name the account in their audit
     * metadata like every other event (the correlation data provider copies it over); no request, key or client.
     */
    private Message<Object> timer(Object payload) {
        // The constructor with an identifier: the others would add the scheduling request's correlation data, and
        // the timer's events would then claim to be that request's doing (and its Idempotency-Key's).
        return new GenericMessage<>(IdentifierFactory.getInstance().generateIdentifier(), payload,
                MetaData.with(AuditMetadata.ACCOUNT_ID, accountId));
    }

    private boolean awaiting(ProcessingReason reason, String chargeId) {
        return status == PROCESSING && processingReason == reason && pendingCharge != null
                && pendingCharge.id().equals(chargeId);
    }

    @CommandHandler
    public CommandOutcome capture(CapturePaymentIntent command, Clock clock, PaymentProcessor processor,
                                  @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        checkAccount(command.accountId());
        if (alreadyApplied(idempotentRequest)) {
            return CommandOutcome.accepted(id, version);
        }
        checkAllowed(Operation.CAPTURE);
        long toCapture = command.amountToCapture() == null ? amountCapturable : command.amountToCapture();
        if (toCapture <= 0) {
            throw reject(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_INTEGER, "amount_to_capture",
                    "This value must be greater than or equal to 1.").about(id, version));
        }
        if (toCapture > amountCapturable) {
            throw reject(ApiError.invalidRequest(ErrorCodes.AMOUNT_TOO_LARGE, "amount_to_capture",
                    "The amount to capture (" + toCapture + ") must be less than or equal to the amount capturable ("
                            + amountCapturable + ").").about(id, version));
        }
        processor.capture(heldCharge.id(), Money.of(toCapture, amount.currency()));
        // As at Stripe, the charge shows the released rest of the hold as refunded.
        Charge captured = heldCharge.captured(toCapture);
        apply(new PaymentIntentCaptured(id, toCapture, captured.amountRefunded(), captured.currency(), captured,
                PaymentIntentStatus.SUCCEEDED, clock.instant()));
        return CommandOutcome.accepted(id, version);
    }

    @CommandHandler
    public CommandOutcome cancel(CancelPaymentIntent command, Clock clock, PaymentProcessor processor,
                                 @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        checkAccount(command.accountId());
        if (alreadyApplied(idempotentRequest)) {
            return CommandOutcome.accepted(id, version);
        }
        checkAllowed(Operation.CANCEL);
        Charge released = null;
        if (status == REQUIRES_CAPTURE) {
            processor.release(heldCharge.id());
            released = heldCharge.released();
        }
        apply(new PaymentIntentCanceled(id, command.cancellationReason(), released, PaymentIntentStatus.CANCELED,
                clock.instant()));
        return CommandOutcome.accepted(id, version);
    }

    /**
     * One attempt to charge {@code method}: asks the processor and records its answer. Every answer is stored, none
     * is thrown: a decline, an authentication request or a silence are all facts of this payment.
     */
    private CommandOutcome attemptPayment(PaymentMethodInfo method, boolean authenticated, String attemptReturnUrl,
                                          Services services) {
        String chargeId = services.identifiers().chargeId();
        ProcessorResult result = services.processor().authorize(chargeId, method, amount,
                captureMethod == CaptureMethod.AUTOMATIC, authenticated);
        Instant now = services.clock().instant();
        switch (result.outcome()) {
            case APPROVED -> approve(chargeId, method, now, services);
            case DECLINED -> {
                return decline(chargeId, method, result, now, services);
            }
            case ACTION_REQUIRED -> apply(new PaymentIntentRequiresAction(id, method.id(), attemptReturnUrl,
                    REQUIRES_ACTION, now));
            case PENDING -> {
                apply(new PaymentIntentProcessing(id, method.id(), ProcessingReason.SETTLEMENT,
                        pendingCharge(chargeId, method, "authorized", "The payment is pending.", now), PROCESSING, now));
                services.deadlines().schedule(services.timings().settlementDelay(), Deadlines.SETTLEMENT,
                        timer(new Deadlines.SettlementDue(chargeId)));
            }
            case UNKNOWN -> {
                apply(new PaymentIntentProcessing(id, method.id(), ProcessingReason.OUTCOME_UNKNOWN,
                        pendingCharge(chargeId, method, null, null, now), PROCESSING, now));
                services.deadlines().schedule(services.timings().outcomeQueryDelay(0), Deadlines.OUTCOME_QUERY,
                        timer(new Deadlines.OutcomeQueryDue(chargeId, 0)));
            }
        }
        return CommandOutcome.accepted(id, version);
    }

    /**
     * Records the processor's final word on the attempt that keeps this intent {@code processing}. Answers that are
     * not final (still pending, still unknown) change nothing: {@code stillWaiting} schedules the next question.
     */
    private CommandOutcome conclude(ProcessorResult result, Services services, Runnable stillWaiting) {
        PaymentMethodInfo method = new PaymentMethodInfo(pendingCharge.paymentMethod(),
                pendingCharge.paymentMethodType());
        Instant now = services.clock().instant();
        switch (result.outcome()) {
            case APPROVED -> approve(pendingCharge.id(), method, pendingCharge.created(), services);
            case DECLINED -> {
                return decline(pendingCharge.id(), method, result, pendingCharge.created(), services);
            }
            case ACTION_REQUIRED -> apply(new PaymentIntentRequiresAction(id, method.id(), returnUrl,
                    REQUIRES_ACTION, now));
            case PENDING, UNKNOWN -> stillWaiting.run();
        }
        return CommandOutcome.accepted(id, version);
    }

    private void approve(String chargeId, PaymentMethodInfo method, Instant chargeCreated, Services services) {
        boolean automaticCapture = captureMethod == CaptureMethod.AUTOMATIC;
        Instant now = services.clock().instant();
        Charge charge = new Charge(chargeId, amount.amount(), automaticCapture ? amount.amount() : 0, 0,
                amount.currency(), automaticCapture, "succeeded", method.id(), method.type(), null, null, null,
                "authorized", "Payment complete.", chargeCreated);
        if (automaticCapture) {
            apply(new PaymentIntentSucceeded(id, method.id(), amount.amount(), charge, PaymentIntentStatus.SUCCEEDED,
                    now));
        } else {
            apply(new PaymentIntentAmountCapturableUpdated(id, method.id(), amount.amount(), charge,
                    REQUIRES_CAPTURE, now));
            // An authorization is a hold on the customer's money: it is not kept for ever.
            services.deadlines().schedule(services.timings().captureExpiry(), Deadlines.CAPTURE_EXPIRY,
                    timer(new Deadlines.CaptureExpired(chargeId)));
        }
    }

    /**
     * A refused attempt. A card stays retryable ({@code requires_payment_method}, as at Stripe); a bank debit that
     * bounced is final ({@code failed}, the LeanRails status).
     */
    private CommandOutcome decline(String chargeId, PaymentMethodInfo method, ProcessorResult result,
                                   Instant chargeCreated, Services services) {
        boolean card = "card".equals(method.type());
        Charge charge = new Charge(chargeId, amount.amount(), 0, 0, amount.currency(), false, "failed",
                method.id(), method.type(), result.failureCode(), result.message(), result.declineCode(),
                "issuer_declined", "The bank did not return any further details with this decline.", chargeCreated);
        PaymentError error = new PaymentError(card ? ApiError.CARD_ERROR : ApiError.INVALID_REQUEST,
                result.failureCode(), result.declineCode(), result.message(), method.id(), method.type(), chargeId);
        apply(new PaymentIntentPaymentFailed(id, error, charge, card ? REQUIRES_PAYMENT_METHOD : FAILED,
                services.clock().instant()));
        return new CommandOutcome(id, version, error);
    }

    private Charge pendingCharge(String chargeId, PaymentMethodInfo method, String outcomeType, String sellerMessage,
                                 Instant now) {
        return new Charge(chargeId, amount.amount(), 0, 0, amount.currency(), false, "pending", method.id(),
                method.type(), null, null, null, outcomeType, sellerMessage, now);
    }

    /** The collaborators a payment attempt needs, resolved by Axon for each handler. */
    private record Services(Clock clock, Identifiers identifiers, PaymentProcessor processor,
                            DeadlineManager deadlines, PaymentTimings timings) {
    }

    private boolean alreadyApplied(String idempotentRequest) {
        return idempotentRequest != null && appliedRequests.contains(idempotentRequest);
    }

    private void checkAccount(String requestingAccount) {
        // Another account's intent is answered exactly like one that does not exist.
        if (!accountId.equals(requestingAccount)) {
            throw reject(ApiError.noSuchPaymentIntent(id));
        }
    }

    private void checkAllowed(Operation operation) {
        if (!operation.isAllowedIn(status)) {
            throw reject(ApiError.unexpectedState(operation.rejectionMessage(status), id, version));
        }
    }

    private static Money checkedAmount(long value, String currency) {
        Currencies.checkAmount(value, currency).ifPresent(error -> {
            throw reject(error);
        });
        return Money.of(value, currency);
    }

    private static void checkPaymentMethodTypes(List<String> types) {
        for (int i = 0; i < types.size(); i++) {
            if (!SUPPORTED_PAYMENT_METHOD_TYPES.contains(types.get(i))) {
                throw reject(ApiError.invalidRequest(ErrorCodes.PAYMENT_INTENT_INVALID_PARAMETER,
                        "payment_method_types[" + i + "]", "The payment method type \"" + types.get(i)
                                + "\" is invalid. Supported types are: card, direct_debit, open_banking."));
            }
        }
    }

    private static PaymentMethodInfo checkedPaymentMethod(String methodId, List<String> allowedTypes,
                                                          PaymentProcessor processor) {
        PaymentMethodInfo method = processor.paymentMethod(methodId).orElseThrow(() -> reject(
                ApiError.invalidRequest(ErrorCodes.RESOURCE_MISSING, "payment_method",
                        "No such PaymentMethod: '" + methodId + "'")));
        if (!allowedTypes.contains(method.type())) {
            throw reject(ApiError.invalidRequest(ErrorCodes.PAYMENT_INTENT_INCOMPATIBLE_PAYMENT_METHOD,
                    "payment_method", "The provided PaymentMethod (" + methodId + ") has type " + method.type()
                            + ", which is not allowed by this PaymentIntent's payment_method_types: "
                            + String.join(", ", allowedTypes) + "."));
        }
        return method;
    }

    private static Map<String, String> mergedMetadata(Map<String, String> current, Map<String, String> changes,
                                                      boolean clearFirst) {
        Map<String, String> merged = new LinkedHashMap<>(clearFirst ? Map.of() : current);
        if (changes != null) {
            changes.forEach((key, value) -> {
                if (value == null || value.isEmpty()) {
                    merged.remove(key);
                } else {
                    merged.put(key, value);
                }
            });
        }
        if (merged.size() > MAX_METADATA_KEYS) {
            throw reject(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "metadata",
                    "Invalid metadata: metadata can have at most " + MAX_METADATA_KEYS + " keys."));
        }
        return Map.copyOf(merged);
    }

    private static String missingPaymentMethodMessage() {
        return "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update "
                + "the PaymentIntent with a payment method and then confirm it again, or confirm it again directly "
                + "with a payment method.";
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private void recordRequest(String idempotentRequest) {
        if (idempotentRequest != null) {
            appliedRequests.add(idempotentRequest);
        }
    }

    @EventSourcingHandler
    void on(PaymentIntentCreated event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        id = event.paymentIntentId();
        accountId = event.accountId();
        version = sequence;
        status = event.status();
        amount = Money.of(event.amount(), event.currency());
        captureMethod = event.captureMethod();
        confirmationMethod = event.confirmationMethod();
        returnUrl = event.returnUrl();
        paymentMethodTypes = event.paymentMethodTypes();
        paymentMethod = event.paymentMethod();
        customer = event.customer();
        description = event.description();
        metadata = event.metadata();
    }

    @EventSourcingHandler
    void on(PaymentIntentUpdated event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        version = sequence;
        status = event.status();
        amount = Money.of(event.amount(), event.currency());
        paymentMethodTypes = event.paymentMethodTypes();
        if (!Objects.equals(paymentMethod, event.paymentMethod())) {
            authenticatedPaymentMethod = null;
        }
        paymentMethod = event.paymentMethod();
        customer = event.customer();
        description = event.description();
        metadata = event.metadata();
        hasLastPaymentError = false;
    }

    @EventSourcingHandler
    void on(PaymentIntentSucceeded event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        version = sequence;
        status = event.status();
        paymentMethod = event.paymentMethod();
        hasLastPaymentError = false;
        attemptDecided();
    }

    @EventSourcingHandler
    void on(PaymentIntentAmountCapturableUpdated event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        version = sequence;
        status = event.status();
        paymentMethod = event.paymentMethod();
        amountCapturable = event.amountCapturable();
        heldCharge = event.charge();
        hasLastPaymentError = false;
        attemptDecided();
    }

    @EventSourcingHandler
    void on(PaymentIntentPaymentFailed event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        version = sequence;
        status = event.status();
        // As in Stripe, a declined payment method is detached; the client supplies a new one.
        paymentMethod = null;
        hasLastPaymentError = true;
        attemptDecided();
    }

    @EventSourcingHandler
    void on(PaymentIntentRequiresAction event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        version = sequence;
        status = event.status();
        paymentMethod = event.paymentMethod();
        returnUrl = event.returnUrl();
        hasLastPaymentError = false;
        attemptDecided();
    }

    @EventSourcingHandler
    void on(PaymentIntentAuthenticated event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        version = sequence;
        status = event.status();
        authenticatedPaymentMethod = event.paymentMethod();
    }

    @EventSourcingHandler
    void on(PaymentIntentProcessing event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        version = sequence;
        status = event.status();
        paymentMethod = event.paymentMethod();
        hasLastPaymentError = false;
        authenticatedPaymentMethod = null;
        pendingCharge = event.charge();
        processingReason = event.reason();
    }

    /** An attempt ended (or a new one began without the processor): nothing is pending or pre-authenticated. */
    private void attemptDecided() {
        pendingCharge = null;
        processingReason = null;
        authenticatedPaymentMethod = null;
    }

    @EventSourcingHandler
    void on(PaymentIntentCaptured event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        version = sequence;
        status = event.status();
        amountCapturable = 0;
        heldCharge = null;
    }

    @EventSourcingHandler
    void on(PaymentIntentCanceled event, @SequenceNumber long sequence,
            @MetaDataValue(AuditMetadata.IDEMPOTENT_REQUEST) String idempotentRequest) {
        recordRequest(idempotentRequest);
        version = sequence;
        status = event.status();
        amountCapturable = 0;
        heldCharge = null;
        attemptDecided();
    }
}
