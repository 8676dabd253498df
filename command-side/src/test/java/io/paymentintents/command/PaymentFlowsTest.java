package io.paymentintents.command;

import io.paymentintents.api.CancellationReason;
import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.Money;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.ProcessingReason;
import io.paymentintents.api.command.AuthenticatePaymentIntent;
import io.paymentintents.api.command.CancelPaymentIntent;
import io.paymentintents.api.command.CapturePaymentIntent;
import io.paymentintents.api.command.CommandOutcome;
import io.paymentintents.api.command.ConfirmPaymentIntent;
import io.paymentintents.api.command.CreatePaymentIntent;
import io.paymentintents.api.command.SettlePaymentIntent;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentAuthenticated;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentPaymentFailed;
import io.paymentintents.api.event.PaymentIntentProcessing;
import io.paymentintents.api.event.PaymentIntentRequiresAction;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.command.processor.PaymentMethodInfo;
import io.paymentintents.command.processor.PaymentProcessor;
import io.paymentintents.command.processor.ProcessorResult;
import io.paymentintents.command.processor.TestModeProcessor;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static io.paymentintents.api.PaymentIntentStatus.CANCELED;
import static io.paymentintents.api.PaymentIntentStatus.FAILED;
import static io.paymentintents.api.PaymentIntentStatus.PROCESSING;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_ACTION;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CAPTURE;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CONFIRMATION;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_PAYMENT_METHOD;
import static io.paymentintents.api.PaymentIntentStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Payments as they really behave: 3-D Secure, bank debits that settle later, holds that expire, and processors that
 * time out. Timers run on the fixture's deadline manager ({@code whenTimeElapses}); expected events are spelled out
 * literally.
 */
class PaymentFlowsTest {

    private static final String ID = "pi_flow1";
    private static final String ACCOUNT = "acct_flow";
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final long AMOUNT = 1000;
    private static final String RETURN_URL = "https://shop.example/return";
    private static final String THREE_DS = "pm_card_authenticationRequired";
    private static final String THREE_DS_THEN_DECLINED = "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds";
    private static final String TIMEOUT = "pm_card_processorTimeout";
    private static final Duration SETTLEMENT_DELAY = Duration.ofSeconds(30);
    private static final Duration EXPIRY = Duration.ofDays(7);
    private static final PaymentTimings TIMINGS = new PaymentTimings(SETTLEMENT_DELAY, EXPIRY, Duration.ofSeconds(1),
            Duration.ofSeconds(8));
    private static final String AUTHENTICATION_FAILED = "The provided PaymentMethod has failed authentication. You "
            + "can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.";

    private AggregateTestFixture<PaymentIntent> fixture;
    private CountingProcessor processor;

    @BeforeEach
    void setUp() {
        processor = new CountingProcessor(new TestModeProcessor());
        fixture = new AggregateTestFixture<>(PaymentIntent.class);
        fixture.registerInjectableResource(Clock.fixed(NOW, ZoneOffset.UTC));
        fixture.registerInjectableResource(new PaymentIntentTest.CountingIdentifiers());
        fixture.registerInjectableResource(processor);
        fixture.registerInjectableResource(TIMINGS);
    }

    // ------------------------------------------------------------------------------------------- authentication

    @Nested
    class Authentication {

        @Test
        void aCardThatNeedsAuthenticationParksTheIntentInRequiresActionWithItsReturnUrl() {
            fixture.givenNoPriorActivity()
                   .when(create(THREE_DS, List.of("card"), CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC,
                           RETURN_URL, true))
                   .expectEvents(created(THREE_DS, List.of("card"), CaptureMethod.AUTOMATIC,
                                   ConfirmationMethod.AUTOMATIC, RETURN_URL),
                           new PaymentIntentRequiresAction(ID, THREE_DS, RETURN_URL, REQUIRES_ACTION, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 1, null))
                   .expectNoScheduledDeadlines();
        }

        @Test
        void theReturnUrlOfTheConfirmIsTheOneTheCustomerIsSentBackTo() {
            fixture.givenCommands(create(THREE_DS, List.of("card"), CaptureMethod.AUTOMATIC,
                           ConfirmationMethod.AUTOMATIC, RETURN_URL, false))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, "https://other.example/back"))
                   .expectEvents(new PaymentIntentRequiresAction(ID, THREE_DS, "https://other.example/back",
                           REQUIRES_ACTION, NOW));
        }

        @Test
        void completedAuthenticationChargesTheCardAndSucceeds() {
            fixture.givenCommands(confirmedCard(THREE_DS, CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC))
                   .when(new AuthenticatePaymentIntent(ID, ACCOUNT, true))
                   .expectEvents(new PaymentIntentSucceeded(ID, THREE_DS, AMOUNT,
                           approvedCharge("ch_test2", THREE_DS, "card", true), SUCCEEDED, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
            assertThat(processor.authorizations).hasValue(2);
        }

        @Test
        void completedAuthenticationWithManualCaptureHoldsTheMoneyAndSchedulesItsExpiry() {
            fixture.givenCommands(confirmedCard(THREE_DS, CaptureMethod.MANUAL, ConfirmationMethod.AUTOMATIC))
                   .when(new AuthenticatePaymentIntent(ID, ACCOUNT, true))
                   .expectEvents(new PaymentIntentAmountCapturableUpdated(ID, THREE_DS, AMOUNT,
                           approvedCharge("ch_test2", THREE_DS, "card", false), REQUIRES_CAPTURE, NOW))
                   .expectScheduledDeadline(EXPIRY, new Deadlines.CaptureExpired("ch_test2"));
        }

        @Test
        void failedAuthenticationReturnsToRequiresPaymentMethodWithAnAuthenticationFailure() {
            PaymentError error = new PaymentError("invalid_request_error", "payment_intent_authentication_failure",
                    null, AUTHENTICATION_FAILED, THREE_DS, "card", null);
            fixture.givenCommands(confirmedCard(THREE_DS, CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC))
                   .when(new AuthenticatePaymentIntent(ID, ACCOUNT, false))
                   .expectEvents(new PaymentIntentPaymentFailed(ID, error, null, REQUIRES_PAYMENT_METHOD, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 2, error));
            assertThat(processor.authorizations).as("a failed authentication charges nothing").hasValue(1);
        }

        @Test
        void aCardDeclinedAfterAuthenticationIsACardErrorAndStaysRetryable() {
            PaymentError error = new PaymentError("card_error", "card_declined", "insufficient_funds",
                    "Your card has insufficient funds.", THREE_DS_THEN_DECLINED, "card", "ch_test2");
            fixture.givenCommands(confirmedCard(THREE_DS_THEN_DECLINED, CaptureMethod.AUTOMATIC,
                           ConfirmationMethod.AUTOMATIC))
                   .when(new AuthenticatePaymentIntent(ID, ACCOUNT, true))
                   .expectEvents(new PaymentIntentPaymentFailed(ID, error, declinedCharge("ch_test2",
                           THREE_DS_THEN_DECLINED, "card", "card_declined", "insufficient_funds",
                           "Your card has insufficient funds."), REQUIRES_PAYMENT_METHOD, NOW));
        }

        @Test
        void withManualConfirmationAuthenticationReturnsToRequiresConfirmation() {
            fixture.givenCommands(confirmedCard(THREE_DS, CaptureMethod.AUTOMATIC, ConfirmationMethod.MANUAL))
                   .when(new AuthenticatePaymentIntent(ID, ACCOUNT, true))
                   .expectEvents(new PaymentIntentAuthenticated(ID, THREE_DS, REQUIRES_CONFIRMATION, NOW));
            assertThat(processor.authorizations).as("the server's confirm charges, not the authentication")
                                                .hasValue(1);
        }

        @Test
        void theConfirmAfterAManualAuthenticationChargesWithoutAskingAgain() {
            fixture.givenCommands(confirmedCard(THREE_DS, CaptureMethod.AUTOMATIC, ConfirmationMethod.MANUAL),
                           new AuthenticatePaymentIntent(ID, ACCOUNT, true))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null))
                   .expectEvents(new PaymentIntentSucceeded(ID, THREE_DS, AMOUNT,
                           approvedCharge("ch_test2", THREE_DS, "card", true), SUCCEEDED, NOW));
        }

        @Test
        void reconfirmingWithAnotherCardWhileActionIsRequiredChargesThatCard() {
            fixture.givenCommands(confirmedCard(THREE_DS, CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, "pm_card_visa", null))
                   .expectEvents(new PaymentIntentSucceeded(ID, "pm_card_visa", AMOUNT,
                           approvedCharge("ch_test2", "pm_card_visa", "card", true), SUCCEEDED, NOW));
        }

        @Test
        void authenticatingAnIntentThatAsksForNoActionIsAnUnexpectedState() {
            fixture.givenCommands(create("pm_card_visa", List.of("card"), CaptureMethod.AUTOMATIC,
                           ConfirmationMethod.AUTOMATIC, null, false))
                   .when(new AuthenticatePaymentIntent(ID, ACCOUNT, true))
                   .expectException(CommandExecutionException.class)
                   .expectExceptionDetails(unexpectedState("You cannot authenticate this PaymentIntent because it "
                           + "has a status of requires_confirmation. Only a PaymentIntent with one of the following "
                           + "statuses may be authenticated: requires_action.", 0))
                   .expectNoEvents();
        }
    }

    // --------------------------------------------------------------------------------------- asynchronous methods

    @Nested
    class AsynchronousMethods {

        @ParameterizedTest
        @ValueSource(strings = {"pm_direct_debit", "pm_open_banking"})
        void aBankPaymentIsProcessingWithAPendingChargeAndItsSettlementIsScheduled(String method) {
            String type = typeOf(method);
            fixture.givenNoPriorActivity()
                   .when(create(method, List.of(type), CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC, null,
                           true))
                   .expectEvents(created(method, List.of(type), CaptureMethod.AUTOMATIC,
                                   ConfirmationMethod.AUTOMATIC, null),
                           new PaymentIntentProcessing(ID, method, ProcessingReason.SETTLEMENT,
                                   pendingCharge("ch_test1", method, type, "authorized", "The payment is pending."),
                                   PROCESSING, NOW))
                   .expectScheduledDeadline(SETTLEMENT_DELAY, new Deadlines.SettlementDue("ch_test1"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"pm_direct_debit", "pm_open_banking"})
        void aBankPaymentSettlesToSucceededWhenTheDelayHasPassed(String method) {
            fixture.givenCommands(confirmedBankPayment(method))
                   .whenTimeElapses(SETTLEMENT_DELAY)
                   .expectEvents(new PaymentIntentSucceeded(ID, method, AMOUNT,
                           approvedCharge("ch_test1", method, typeOf(method), true), SUCCEEDED, NOW));
        }

        @Test
        void nothingSettlesBeforeTheDelay() {
            fixture.givenCommands(confirmedBankPayment("pm_direct_debit"))
                   .whenTimeElapses(SETTLEMENT_DELAY.minusSeconds(1))
                   .expectNoEvents();
        }

        @Test
        void aBouncedDirectDebitEndsFailed() {
            PaymentError error = new PaymentError("invalid_request_error", "insufficient_funds", null,
                    "The customer's account has insufficient funds to cover this payment.", "pm_direct_debit_fails",
                    "direct_debit", "ch_test1");
            fixture.givenCommands(confirmedBankPayment("pm_direct_debit_fails"))
                   .whenTimeElapses(SETTLEMENT_DELAY)
                   .expectEvents(new PaymentIntentPaymentFailed(ID, error, declinedCharge("ch_test1",
                           "pm_direct_debit_fails", "direct_debit", "insufficient_funds", null,
                           "The customer's account has insufficient funds to cover this payment."), FAILED, NOW));
        }

        @Test
        void aRefusedOpenBankingPaymentEndsFailed() {
            fixture.givenCommands(confirmedBankPayment("pm_open_banking_fails"))
                   .whenTimeElapses(SETTLEMENT_DELAY)
                   .expectEventsMatching(org.axonframework.test.matchers.Matchers.exactSequenceOf(
                           org.axonframework.test.matchers.Matchers.messageWithPayload(
                                   org.axonframework.test.matchers.Matchers.predicate(p ->
                                           p instanceof PaymentIntentPaymentFailed failed
                                                   && failed.status() == FAILED
                                                   && failed.error().code().equals("payment_method_provider_decline")
                                                   && failed.charge().status().equals("failed"))),
                           org.axonframework.test.matchers.Matchers.andNoMore()));
        }

        @Test
        void theSettleHelperDecidesAtOnceAndTheScheduledSettlementThenDoesNothing() {
            fixture.givenCommands(confirmedBankPayment("pm_direct_debit_fails"),
                           new SettlePaymentIntent(ID, ACCOUNT, true))
                   .whenTimeElapses(SETTLEMENT_DELAY.multipliedBy(3))
                   .expectNoEvents();
        }

        @Test
        void theSettleHelperWithSuccessSucceedsEvenADebitThatWouldBounce() {
            fixture.givenCommands(confirmedBankPayment("pm_direct_debit_fails"))
                   .when(new SettlePaymentIntent(ID, ACCOUNT, true))
                   .expectEvents(new PaymentIntentSucceeded(ID, "pm_direct_debit_fails", AMOUNT,
                           approvedCharge("ch_test1", "pm_direct_debit_fails", "direct_debit", true), SUCCEEDED,
                           NOW));
        }

        @Test
        void theSettleHelperWithFailureFailsTheDebit() {
            PaymentError error = new PaymentError("invalid_request_error", "payment_method_provider_decline", null,
                    "The payment was declined by the customer's bank.", "pm_direct_debit", "direct_debit",
                    "ch_test1");
            fixture.givenCommands(confirmedBankPayment("pm_direct_debit"))
                   .when(new SettlePaymentIntent(ID, ACCOUNT, false))
                   .expectEvents(new PaymentIntentPaymentFailed(ID, error, declinedCharge("ch_test1",
                           "pm_direct_debit", "direct_debit", "payment_method_provider_decline", null,
                           "The payment was declined by the customer's bank."), FAILED, NOW));
        }

        @Test
        void settlingAnIntentThatIsNotProcessingIsAnUnexpectedState() {
            fixture.givenCommands(confirmedBankPayment("pm_direct_debit"), new SettlePaymentIntent(ID, ACCOUNT, true))
                   .when(new SettlePaymentIntent(ID, ACCOUNT, false))
                   .expectException(CommandExecutionException.class)
                   .expectExceptionDetails(unexpectedState("You cannot settle this PaymentIntent because it has a "
                           + "status of succeeded. Only a PaymentIntent with one of the following statuses may be "
                           + "settled: processing.", 2))
                   .expectNoEvents();
        }

        @Test
        void aProcessingIntentCanNeitherBeConfirmedNorCanceled() {
            fixture.givenCommands(confirmedBankPayment("pm_direct_debit"))
                   .when(new CancelPaymentIntent(ID, ACCOUNT, null))
                   .expectException(CommandExecutionException.class)
                   .expectNoEvents();
        }
    }

    // ------------------------------------------------------------------------------------- capture and expiry

    @Nested
    class CaptureExpiry {

        @Test
        void anAuthorizationNobodyCapturesIsReleasedAndTheIntentCanceledAutomaticallyAfterSevenDays() {
            fixture.givenCommands(confirmedCard("pm_card_visa", CaptureMethod.MANUAL, ConfirmationMethod.AUTOMATIC))
                   .whenTimeElapses(EXPIRY)
                   .expectEvents(new PaymentIntentCanceled(ID, CancellationReason.AUTOMATIC,
                           new Charge("ch_test1", AMOUNT, 0, AMOUNT, "usd", false, "succeeded", "pm_card_visa", "card",
                                   null, null, null, "authorized", "Payment complete.", NOW), CANCELED, NOW));
            assertThat(processor.releases).hasValue(1);
        }

        @Test
        void anAuthorizationIsKeptUntilTheLastMomentOfItsPeriod() {
            fixture.givenCommands(confirmedCard("pm_card_visa", CaptureMethod.MANUAL, ConfirmationMethod.AUTOMATIC))
                   .whenTimeElapses(EXPIRY.minusSeconds(1))
                   .expectNoEvents();
        }

        @Test
        void theExpiryPeriodIsConfigurable() {
            AggregateTestFixture<PaymentIntent> twoHourHolds = new AggregateTestFixture<>(PaymentIntent.class);
            twoHourHolds.registerInjectableResource(Clock.fixed(NOW, ZoneOffset.UTC));
            twoHourHolds.registerInjectableResource(new PaymentIntentTest.CountingIdentifiers());
            twoHourHolds.registerInjectableResource(processor);
            twoHourHolds.registerInjectableResource(new PaymentTimings(SETTLEMENT_DELAY, Duration.ofHours(2),
                    Duration.ofSeconds(1), Duration.ofSeconds(8)));
            twoHourHolds.givenNoPriorActivity()
                   .when(create("pm_card_visa", List.of("card"), CaptureMethod.MANUAL, ConfirmationMethod.AUTOMATIC,
                           null, true))
                   .expectScheduledDeadline(Duration.ofHours(2), new Deadlines.CaptureExpired("ch_test1"));
        }

        @Test
        void aCapturedIntentIsNotExpiredLater() {
            fixture.givenCommands(confirmedCard("pm_card_visa", CaptureMethod.MANUAL, ConfirmationMethod.AUTOMATIC),
                           new CapturePaymentIntent(ID, ACCOUNT, 600L))
                   .whenTimeElapses(EXPIRY.multipliedBy(2))
                   .expectNoEvents();
        }

        @Test
        void aCanceledIntentIsNotCanceledAgainWhenItsHoldWouldHaveExpired() {
            fixture.givenCommands(confirmedCard("pm_card_visa", CaptureMethod.MANUAL, ConfirmationMethod.AUTOMATIC),
                           new CancelPaymentIntent(ID, ACCOUNT, CancellationReason.REQUESTED_BY_CUSTOMER))
                   .whenTimeElapses(EXPIRY.multipliedBy(2))
                   .expectNoEvents();
            assertThat(processor.releases).as("released once, by the cancel").hasValue(1);
        }

        @Test
        void aSettledBankPaymentWithManualCaptureWaitsForCaptureAndExpiresToo() {
            fixture.givenCommands(new CreatePaymentIntent(ID, ACCOUNT, AMOUNT, "usd", null, null, null,
                           List.of("direct_debit"), CaptureMethod.MANUAL, null, "pm_direct_debit", null, true))
                   .whenTimeElapses(SETTLEMENT_DELAY.plus(EXPIRY))
                   .expectEventsMatching(org.axonframework.test.matchers.Matchers.payloadsMatching(
                           org.axonframework.test.matchers.Matchers.exactSequenceOf(
                                   org.axonframework.test.matchers.Matchers.predicate(p ->
                                           p instanceof PaymentIntentAmountCapturableUpdated updated
                                                   && updated.status() == REQUIRES_CAPTURE),
                                   org.axonframework.test.matchers.Matchers.predicate(p ->
                                           p instanceof PaymentIntentCanceled canceled
                                                   && canceled.cancellationReason()
                                                   == CancellationReason.AUTOMATIC),
                                   org.axonframework.test.matchers.Matchers.andNoMore())));
        }
    }

    // ----------------------------------------------------------------------------------------- unknown outcomes

    @Nested
    class UnknownOutcomes {

        @Test
        void aProcessorTimeoutLeavesTheIntentProcessingAndSchedulesAReQuery() {
            fixture.givenNoPriorActivity()
                   .when(create(TIMEOUT, List.of("card"), CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC,
                           null, true))
                   .expectEvents(created(TIMEOUT, List.of("card"), CaptureMethod.AUTOMATIC,
                                   ConfirmationMethod.AUTOMATIC, null),
                           new PaymentIntentProcessing(ID, TIMEOUT, ProcessingReason.OUTCOME_UNKNOWN,
                                   pendingCharge("ch_test1", TIMEOUT, "card", null, null), PROCESSING, NOW))
                   .expectScheduledDeadline(Duration.ofSeconds(1), new Deadlines.OutcomeQueryDue("ch_test1", 0));
        }

        @Test
        void whileTheProcessorStillCannotTellTheJanitorAsksAgainAfterALongerPause() {
            fixture.givenCommands(confirmedCard(TIMEOUT, CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC))
                   .whenTimeElapses(Duration.ofSeconds(1))
                   .expectNoEvents()
                   .expectScheduledDeadline(Duration.ofSeconds(2), new Deadlines.OutcomeQueryDue("ch_test1", 1));
            assertThat(processor.queries).hasValue(1);
        }

        @Test
        void theJanitorRecordsTheTruthOnceTheProcessorKnowsIt() {
            fixture.givenCommands(confirmedCard(TIMEOUT, CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC))
                   .whenTimeElapses(Duration.ofSeconds(3))
                   .expectEvents(new PaymentIntentSucceeded(ID, TIMEOUT, AMOUNT,
                           approvedCharge("ch_test1", TIMEOUT, "card", true), SUCCEEDED, NOW))
                   .expectNoScheduledDeadlines();
            assertThat(processor.queries).hasValue(2);
            assertThat(processor.authorizations).as("the attempt is asked about, never repeated").hasValue(1);
        }

        @Test
        void aDeclineLearnedLaterLeavesTheCardRetryable() {
            PaymentError error = new PaymentError("card_error", "card_declined", "generic_decline",
                    "Your card was declined.", "pm_card_processorTimeoutDeclined", "card", "ch_test1");
            fixture.givenCommands(confirmedCard("pm_card_processorTimeoutDeclined", CaptureMethod.AUTOMATIC,
                           ConfirmationMethod.AUTOMATIC))
                   .whenTimeElapses(Duration.ofSeconds(3))
                   .expectEvents(new PaymentIntentPaymentFailed(ID, error, declinedCharge("ch_test1",
                           "pm_card_processorTimeoutDeclined", "card", "card_declined", "generic_decline",
                           "Your card was declined."), REQUIRES_PAYMENT_METHOD, NOW));
        }

        @Test
        void aClientRetryingTheConfirmMeanwhileIsRefusedAndAuthorizesNothing() {
            fixture.givenCommands(confirmedCard(TIMEOUT, CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null))
                   .expectException(CommandExecutionException.class)
                   .expectExceptionDetails(unexpectedState("You cannot confirm this PaymentIntent because it has a "
                           + "status of processing. Only a PaymentIntent with one of the following statuses may be "
                           + "confirmed: requires_payment_method, requires_confirmation, requires_action.", 1))
                   .expectNoEvents();
            assertThat(processor.authorizations).hasValue(1);
        }

        @Test
        void theJanitorsPausesDoubleUpToTheirLimit() {
            assertThat(List.of(0, 1, 2, 3, 4, 10, 1000).stream().map(TIMINGS::outcomeQueryDelay).toList())
                    .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                            Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(8),
                            Duration.ofSeconds(8));
        }

        @Test
        void aReQueryForAnAttemptAlreadyDecidedDoesNothing() {
            fixture.givenCommands(confirmedCard(TIMEOUT, CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC),
                           new SettlePaymentIntent(ID, ACCOUNT, true))
                   .whenTimeElapses(Duration.ofMinutes(1))
                   .expectNoEvents();
            assertThat(processor.queries).as("a decided attempt is not asked about").hasValue(0);
        }
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** The processor of test mode, counting how often each operation is called. */
    static final class CountingProcessor implements PaymentProcessor {
        private final PaymentProcessor delegate;
        final AtomicInteger authorizations = new AtomicInteger();
        final AtomicInteger queries = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();

        CountingProcessor(PaymentProcessor delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<PaymentMethodInfo> paymentMethod(String paymentMethodId) {
            return delegate.paymentMethod(paymentMethodId);
        }

        @Override
        public ProcessorResult authorize(String reference, PaymentMethodInfo paymentMethod, Money amount,
                                         boolean capture, boolean authenticated) {
            authorizations.incrementAndGet();
            return delegate.authorize(reference, paymentMethod, amount, capture, authenticated);
        }

        @Override
        public void capture(String reference, Money amount) {
            delegate.capture(reference, amount);
        }

        @Override
        public void release(String reference) {
            releases.incrementAndGet();
            delegate.release(reference);
        }

        @Override
        public ProcessorResult settle(String reference, PaymentMethodInfo paymentMethod) {
            return delegate.settle(reference, paymentMethod);
        }

        @Override
        public ProcessorResult queryStatus(String reference, PaymentMethodInfo paymentMethod) {
            queries.incrementAndGet();
            return delegate.queryStatus(reference, paymentMethod);
        }
    }

    private static String typeOf(String method) {
        return method.startsWith("pm_direct_debit") ? "direct_debit"
                : method.startsWith("pm_open_banking") ? "open_banking" : "card";
    }

    private static CreatePaymentIntent confirmedCard(String method, CaptureMethod captureMethod,
                                                     ConfirmationMethod confirmationMethod) {
        return create(method, List.of("card"), captureMethod, confirmationMethod, RETURN_URL, true);
    }

    private static CreatePaymentIntent confirmedBankPayment(String method) {
        return create(method, List.of(typeOf(method)), CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC, null,
                true);
    }

    private static CreatePaymentIntent create(String method, List<String> types, CaptureMethod captureMethod,
                                              ConfirmationMethod confirmationMethod, String returnUrl,
                                              boolean confirm) {
        return new CreatePaymentIntent(ID, ACCOUNT, AMOUNT, "usd", null, null, null, types, captureMethod,
                confirmationMethod, method, returnUrl, confirm);
    }

    private static PaymentIntentCreated created(String method, List<String> types, CaptureMethod captureMethod,
                                                ConfirmationMethod confirmationMethod, String returnUrl) {
        return new PaymentIntentCreated(ID, ACCOUNT, AMOUNT, "usd", null, null, Map.of(), types, captureMethod,
                confirmationMethod, method, returnUrl, REQUIRES_CONFIRMATION, NOW);
    }

    private static Charge approvedCharge(String chargeId, String method, String type, boolean captured) {
        return new Charge(chargeId, AMOUNT, captured ? AMOUNT : 0, 0, "usd", captured, "succeeded", method, type,
                null, null, null, "authorized", "Payment complete.", NOW);
    }

    private static Charge pendingCharge(String chargeId, String method, String type, String outcomeType,
                                        String sellerMessage) {
        return new Charge(chargeId, AMOUNT, 0, 0, "usd", false, "pending", method, type, null, null, null,
                outcomeType, sellerMessage, NOW);
    }

    private static Charge declinedCharge(String chargeId, String method, String type, String code,
                                         String declineCode, String message) {
        return new Charge(chargeId, AMOUNT, 0, 0, "usd", false, "failed", method, type, code, message, declineCode,
                "issuer_declined", "The bank did not return any further details with this decline.", NOW);
    }

    private static ApiError unexpectedState(String message, long version) {
        return new ApiError(400, "invalid_request_error", "payment_intent_unexpected_state", null, message, null, ID,
                version);
    }
}
