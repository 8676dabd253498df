package io.paymentintents.command;

import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.Currencies;
import io.paymentintents.api.Money;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.PaymentIntentStatus;
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
import io.paymentintents.command.processor.Authorization;
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
        snapshotFilter = "paymentIntentSnapshotFilter")
// Snapshots are this class serialized by Jackson: its state lives in private fields without getters.
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
// The snapshot format. Change it with any change to the fields: older snapshots are then ignored (the snapshot
// filter accepts only this revision) and the aggregate is rebuilt from its events.
@Revision(PaymentIntent.SNAPSHOT_REVISION)
public class PaymentIntent {

    /** The aggregate type stored with every event and snapshot (the {@code type} column). */
    static final String TYPE = "PaymentIntent";
    static final String SNAPSHOT_REVISION = "1";

    static final Set<String> SUPPORTED_PAYMENT_METHOD_TYPES = Set.of("card", "direct_debit", "open_banking");
    static final int MAX_METADATA_KEYS = 50;

    @AggregateIdentifier
    private String id;
    private String accountId;
    private long version;
    private PaymentIntentStatus status;
    private Money amount;
    private CaptureMethod captureMethod;
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
                                 PaymentProcessor processor) {
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
            return attemptPayment(method, clock, identifiers, processor);
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
                                  PaymentProcessor processor,
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
        return attemptPayment(checkedPaymentMethod(methodId, paymentMethodTypes, processor), clock, identifiers,
                processor);
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
        apply(new PaymentIntentCaptured(id, toCapture, heldCharge.captured(toCapture), PaymentIntentStatus.SUCCEEDED,
                clock.instant()));
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

    private CommandOutcome attemptPayment(PaymentMethodInfo method, Clock clock, Identifiers identifiers,
                                          PaymentProcessor processor) {
        String chargeId = identifiers.chargeId();
        boolean automaticCapture = captureMethod == CaptureMethod.AUTOMATIC;
        Authorization authorization = processor.authorize(chargeId, method, amount, automaticCapture);
        Instant now = clock.instant();
        switch (authorization.outcome()) {
            case APPROVED -> {
                Charge charge = new Charge(chargeId, amount.amount(), automaticCapture ? amount.amount() : 0, 0,
                        amount.currency(), automaticCapture, "succeeded", method.id(), method.type(), null, null,
                        null, "authorized", "Payment complete.", now);
                if (automaticCapture) {
                    apply(new PaymentIntentSucceeded(id, method.id(), amount.amount(), charge,
                            PaymentIntentStatus.SUCCEEDED, now));
                } else {
                    apply(new PaymentIntentAmountCapturableUpdated(id, method.id(), amount.amount(), charge,
                            REQUIRES_CAPTURE, now));
                }
                return CommandOutcome.accepted(id, version);
            }
            case DECLINED -> {
                Charge charge = new Charge(chargeId, amount.amount(), 0, 0, amount.currency(), false, "failed",
                        method.id(), method.type(), authorization.failureCode(), authorization.message(),
                        authorization.declineCode(), "issuer_declined", "The bank did not return any further details "
                        + "with this decline.", now);
                PaymentError error = new PaymentError(ApiError.CARD_ERROR, authorization.failureCode(),
                        authorization.declineCode(), authorization.message(), method.id(), method.type(), chargeId);
                apply(new PaymentIntentPaymentFailed(id, error, charge, REQUIRES_PAYMENT_METHOD, now));
                return new CommandOutcome(id, version, error);
            }
            default -> throw new IllegalStateException("unhandled authorization outcome " + authorization.outcome());
        }
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
    }
}
