package io.paymentintents.command;

import io.paymentintents.api.CancellationReason;
import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentError;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.command.CancelPaymentIntent;
import io.paymentintents.api.command.CapturePaymentIntent;
import io.paymentintents.api.command.CommandOutcome;
import io.paymentintents.api.command.ConfirmPaymentIntent;
import io.paymentintents.api.command.CreatePaymentIntent;
import io.paymentintents.api.command.UpdatePaymentIntent;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.Rejections;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentEvent;
import io.paymentintents.api.event.PaymentIntentPaymentFailed;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.event.PaymentIntentUpdated;
import io.paymentintents.command.processor.TestModeProcessor;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.axonframework.test.aggregate.TestExecutor;
import org.axonframework.test.matchers.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.paymentintents.api.PaymentIntentStatus.CANCELED;
import static io.paymentintents.api.PaymentIntentStatus.FAILED;
import static io.paymentintents.api.PaymentIntentStatus.PROCESSING;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_ACTION;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CAPTURE;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CONFIRMATION;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_PAYMENT_METHOD;
import static io.paymentintents.api.PaymentIntentStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The PaymentIntent aggregate against the status machine and test payment methods of
 * {@code shared/reference/api-semantics.md}. Expected events, outcomes and errors are spelled out literally here
 * (not built with the production factories), so that a change in wire-visible behaviour fails a test.
 */
class PaymentIntentTest {

    private static final String ID = "pi_test1";
    private static final String ACCOUNT = "acct_test1";
    private static final String OTHER_ACCOUNT = "acct_other";
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final long AMOUNT = 1000;
    private static final String VISA = "pm_card_visa";
    private static final String HELD_CHARGE = "ch_held";

    private static final String INVALID_REQUEST = "invalid_request_error";
    private static final String MISSING_PAYMENT_METHOD = "You cannot confirm this PaymentIntent because it's missing "
            + "a payment method. You can either update the PaymentIntent with a payment method and then confirm it "
            + "again, or confirm it again directly with a payment method.";

    private AggregateTestFixture<PaymentIntent> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(PaymentIntent.class);
        fixture.registerInjectableResource(Clock.fixed(NOW, ZoneOffset.UTC));
        fixture.registerInjectableResource(new CountingIdentifiers());
        fixture.registerInjectableResource(new TestModeProcessor());
        fixture.registerInjectableResource(PaymentTimings.STRIPE_LIKE);
    }

    /** Charge ids {@code ch_test1}, {@code ch_test2}, ... per fixture. */
    static final class CountingIdentifiers implements Identifiers {
        private int charges;

        @Override
        public String chargeId() {
            return "ch_test" + (++charges);
        }
    }

    // ------------------------------------------------------------------------------------------------ create

    @Nested
    class Create {

        @Test
        void createdWithoutPaymentMethodRequiresAPaymentMethod() {
            fixture.givenNoPriorActivity()
                   .when(create(null, null, false))
                   .expectSuccessfulHandlerExecution()
                   .expectEvents(created(null, CaptureMethod.AUTOMATIC, REQUIRES_PAYMENT_METHOD))
                   .expectResultMessagePayload(new CommandOutcome(ID, 0, null));
        }

        @Test
        void createdWithPaymentMethodRequiresConfirmation() {
            fixture.givenNoPriorActivity()
                   .when(create(VISA, null, false))
                   .expectEvents(created(VISA, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION))
                   .expectResultMessagePayload(new CommandOutcome(ID, 0, null));
        }

        @Test
        void createdWithEveryOptionalFieldKeepsThemAndDefaultsNothing() {
            fixture.givenNoPriorActivity()
                   .when(new CreatePaymentIntent(ID, ACCOUNT, 2500, "eur", "cus_1", "Order 42",
                           Map.of("order_id", "42", "empty", ""), List.of("card", "direct_debit"),
                           CaptureMethod.MANUAL, ConfirmationMethod.MANUAL, VISA, "https://shop.example/return", false))
                   .expectEvents(new PaymentIntentCreated(ID, ACCOUNT, 2500, "eur", "cus_1", "Order 42",
                           Map.of("order_id", "42"), List.of("card", "direct_debit"), CaptureMethod.MANUAL,
                           ConfirmationMethod.MANUAL, VISA, "https://shop.example/return",
                           REQUIRES_CONFIRMATION, NOW));
        }

        @Test
        void emptyCustomerAndDescriptionAreStoredAsAbsent() {
            fixture.givenNoPriorActivity()
                   .when(new CreatePaymentIntent(ID, ACCOUNT, AMOUNT, "usd", "", "", null, List.of(), null, null,
                           null, null, false))
                   .expectEvents(created(null, CaptureMethod.AUTOMATIC, REQUIRES_PAYMENT_METHOD));
        }

        @Test
        void createdAndConfirmedWithAGoodCardSucceedsInOneCall() {
            fixture.givenNoPriorActivity()
                   .when(create(VISA, null, true))
                   .expectEvents(created(VISA, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION),
                           new PaymentIntentSucceeded(ID, VISA, AMOUNT, approvedCharge("ch_test1", VISA, true),
                                   SUCCEEDED, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 1, null));
        }

        @Test
        void createdAndConfirmedWithManualCaptureAwaitsCapture() {
            fixture.givenNoPriorActivity()
                   .when(create(VISA, CaptureMethod.MANUAL, true))
                   .expectEvents(created(VISA, CaptureMethod.MANUAL, REQUIRES_CONFIRMATION),
                           new PaymentIntentAmountCapturableUpdated(ID, VISA, AMOUNT,
                                   approvedCharge("ch_test1", VISA, false), REQUIRES_CAPTURE, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 1, null));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.paymentintents.command.PaymentIntentTest#declines")
        void createdAndConfirmedWithADecliningCardIsStoredAsFailedAttempt(String pm, String code, String declineCode,
                                                                       String message) {
            PaymentError error = cardError(pm, code, declineCode, message, "ch_test1");
            fixture.givenNoPriorActivity()
                   .when(create(pm, null, true))
                   .expectEvents(created(pm, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION),
                           new PaymentIntentPaymentFailed(ID, error,
                                   declinedCharge("ch_test1", pm, code, declineCode, message),
                                   REQUIRES_PAYMENT_METHOD, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 1, error));
        }

        @Test
        void cannotCreateAndConfirmWithoutAPaymentMethod() {
            assertRejected(fixture.givenNoPriorActivity().when(create(null, null, true)),
                    new ApiError(400, INVALID_REQUEST, "payment_intent_unexpected_state", null,
                            MISSING_PAYMENT_METHOD, null, null, -1));
        }

        @Test
        void acceptsTheCurrencyMinimumAndTheEightDigitMaximum() {
            fixture.givenNoPriorActivity().when(createAmount(50, "usd")).expectSuccessfulHandlerExecution();
            setUp();
            fixture.givenNoPriorActivity().when(createAmount(30, "gbp")).expectSuccessfulHandlerExecution();
            setUp();
            fixture.givenNoPriorActivity().when(createAmount(99_999_999, "usd")).expectSuccessfulHandlerExecution();
            setUp();
            // a currency without a listed minimum takes any positive amount
            fixture.givenNoPriorActivity().when(createAmount(1, "isk")).expectSuccessfulHandlerExecution();
        }

        @Test
        void cannotCreateBelowTheCurrencyMinimum() {
            assertRejected(fixture.givenNoPriorActivity().when(createAmount(49, "usd")),
                    invalidParameter("amount_too_small", "amount", "Amount must be at least $0.50 usd"));
        }

        @Test
        void cannotCreateBelowTheGbpMinimum() {
            assertRejected(fixture.givenNoPriorActivity().when(createAmount(29, "gbp")),
                    invalidParameter("amount_too_small", "amount", "Amount must be at least 0.30 gbp"));
        }

        @Test
        void cannotCreateWithAZeroOrNegativeAmount() {
            assertRejected(fixture.givenNoPriorActivity().when(createAmount(0, "usd")),
                    invalidParameter("amount_too_small", "amount", "Amount must be at least $0.50 usd"));
            setUp();
            assertRejected(fixture.givenNoPriorActivity().when(createAmount(-100, "usd")),
                    invalidParameter("amount_too_small", "amount", "Amount must be at least $0.50 usd"));
        }

        @Test
        void cannotCreateAboveNinetyNineMillionMinorUnits() {
            assertRejected(fixture.givenNoPriorActivity().when(createAmount(100_000_000, "usd")),
                    invalidParameter("amount_too_large", "amount", "Amount must be no more than $999,999.99 usd"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"xyz", "us", "dollars"})
        void cannotCreateInAnUnknownCurrency(String currency) {
            assertRejected(fixture.givenNoPriorActivity().when(createAmount(AMOUNT, currency)),
                    invalidParameter("invalid_currency", "currency", "Invalid currency: " + currency
                            + ". Use a lowercase three-letter ISO 4217 currency code."));
        }

        @Test
        void cannotCreateWithAnUnknownPaymentMethod() {
            assertRejected(fixture.givenNoPriorActivity().when(create("pm_nope", null, false)),
                    invalidParameter("resource_missing", "payment_method", "No such PaymentMethod: 'pm_nope'"));
        }

        @Test
        void cannotCreateWithAPaymentMethodOfATypeNotInPaymentMethodTypes() {
            assertRejected(fixture.givenNoPriorActivity().when(new CreatePaymentIntent(ID, ACCOUNT, AMOUNT, "usd",
                            null, null, null, List.of("direct_debit", "open_banking"), null, null, VISA, null, false)),
                    invalidParameter("payment_intent_incompatible_payment_method", "payment_method",
                            "The provided PaymentMethod (pm_card_visa) has type card, which is not allowed by this "
                                    + "PaymentIntent's payment_method_types: direct_debit, open_banking."));
        }

        @Test
        void cannotCreateWithAnUnsupportedPaymentMethodType() {
            assertRejected(fixture.givenNoPriorActivity().when(new CreatePaymentIntent(ID, ACCOUNT, AMOUNT, "usd",
                            null, null, null, List.of("card", "bitcoin"), null, null, null, null, false)),
                    invalidParameter("payment_intent_invalid_parameter", "payment_method_types[1]",
                            "The payment method type \"bitcoin\" is invalid. Supported types are: card, "
                                    + "direct_debit, open_banking."));
        }

        @Test
        void acceptsFiftyMetadataKeys() {
            fixture.givenNoPriorActivity()
                   .when(new CreatePaymentIntent(ID, ACCOUNT, AMOUNT, "usd", null, null, metadataKeys("k", 50),
                           null, null, null, null, null, false))
                   .expectSuccessfulHandlerExecution();
        }

        @Test
        void cannotCreateWithMoreThanFiftyMetadataKeys() {
            assertRejected(fixture.givenNoPriorActivity()
                                  .when(new CreatePaymentIntent(ID, ACCOUNT, AMOUNT, "usd", null, null,
                                          metadataKeys("k", 51), null, null, null, null, null, false)),
                    tooManyMetadataKeys());
        }
    }

    // ----------------------------------------------------------------------------------------------- confirm

    @Nested
    class Confirm {

        @Test
        void confirmingWithTheAttachedGoodCardSucceedsWithTheExactCharge() {
            givenStatus(REQUIRES_CONFIRMATION)
                    .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null))
                    .expectEvents(new PaymentIntentSucceeded(ID, VISA, AMOUNT,
                            new Charge("ch_test1", AMOUNT, AMOUNT, 0, "usd", true, "succeeded", VISA, "card", null,
                                    null, null, "authorized", "Payment complete.", NOW),
                            SUCCEEDED, NOW))
                    .expectResultMessagePayload(new CommandOutcome(ID, 1, null));
        }

        @ParameterizedTest
        @ValueSource(strings = {"pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_visa_debit"})
        void confirmingWithAGoodCardGivenNowSucceeds(String pm) {
            givenStatus(REQUIRES_PAYMENT_METHOD)
                    .when(new ConfirmPaymentIntent(ID, ACCOUNT, pm, null))
                    .expectEvents(new PaymentIntentSucceeded(ID, pm, AMOUNT, approvedCharge("ch_test1", pm, true),
                            SUCCEEDED, NOW))
                    .expectResultMessagePayload(new CommandOutcome(ID, 1, null));
        }

        @Test
        void confirmingWithManualCaptureHoldsTheAmount() {
            fixture.given(created(VISA, CaptureMethod.MANUAL, REQUIRES_CONFIRMATION))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null))
                   .expectEvents(new PaymentIntentAmountCapturableUpdated(ID, VISA, AMOUNT,
                           new Charge("ch_test1", AMOUNT, 0, 0, "usd", false, "succeeded", VISA, "card", null, null,
                                   null, "authorized", "Payment complete.", NOW),
                           REQUIRES_CAPTURE, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 1, null));
        }

        @Test
        void aPaymentMethodGivenAtConfirmationReplacesTheAttachedOne() {
            givenStatus(REQUIRES_CONFIRMATION)
                    .when(new ConfirmPaymentIntent(ID, ACCOUNT, "pm_card_amex", null))
                    .expectEvents(new PaymentIntentSucceeded(ID, "pm_card_amex", AMOUNT,
                            approvedCharge("ch_test1", "pm_card_amex", true), SUCCEEDED, NOW));
        }

        /** requires_action is reached through test payment methods this aggregate does not simulate yet. */
        @Test
        void reconfirmingAnIntentThatRequiresActionSucceeds() {
            givenStatus(REQUIRES_ACTION)
                    .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null))
                    .expectEvents(new PaymentIntentSucceeded(ID, VISA, AMOUNT, approvedCharge("ch_test1", VISA, true),
                            SUCCEEDED, NOW))
                    .expectResultMessagePayload(new CommandOutcome(ID, 1, null));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.paymentintents.command.PaymentIntentTest#declines")
        void aDeclinedCardLeavesTheIntentRequiringAPaymentMethodAndAnswersTheCardError(
                String pm, String code, String declineCode, String message) {
            PaymentError error = cardError(pm, code, declineCode, message, "ch_test1");
            givenStatus(REQUIRES_PAYMENT_METHOD)
                    .when(new ConfirmPaymentIntent(ID, ACCOUNT, pm, null))
                    .expectEvents(new PaymentIntentPaymentFailed(ID, error,
                            declinedCharge("ch_test1", pm, code, declineCode, message), REQUIRES_PAYMENT_METHOD, NOW))
                    .expectResultMessagePayload(new CommandOutcome(ID, 1, error));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.paymentintents.command.PaymentIntentTest#declines")
        void aDeclinedAttachedCardIsAlsoRecordedAsAFailedAttempt(String pm, String code, String declineCode,
                                                                 String message) {
            PaymentError error = cardError(pm, code, declineCode, message, "ch_test1");
            fixture.given(created(pm, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null))
                   .expectEvents(new PaymentIntentPaymentFailed(ID, error,
                           declinedCharge("ch_test1", pm, code, declineCode, message), REQUIRES_PAYMENT_METHOD, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 1, error));
        }

        @Test
        void theDeclineCarriesStripesCodesForEachTestCard() {
            // the exact table of api-semantics.md "Test payment methods", checked once more field by field
            List<Arguments> table = declines().toList();
            assertThat(table).hasSize(6);
            for (Arguments row : table) {
                Object[] a = row.get();
                setUp();
                PaymentError expected = cardError((String) a[0], (String) a[1], (String) a[2], (String) a[3],
                        "ch_test1");
                givenStatus(REQUIRES_PAYMENT_METHOD)
                        .when(new ConfirmPaymentIntent(ID, ACCOUNT, (String) a[0], null))
                        .expectResultMessagePayloadMatching(Matchers.predicate((CommandOutcome outcome) -> {
                            PaymentError e = outcome.declined();
                            return e != null && "card_error".equals(e.type()) && a[1].equals(e.code())
                                    && a[2].equals(e.declineCode()) && a[3].equals(e.message())
                                    && a[0].equals(e.paymentMethod()) && "card".equals(e.paymentMethodType())
                                    && "ch_test1".equals(e.chargeId()) && e.equals(expected);
                        }));
            }
        }

        @Test
        void confirmingAfterADeclineWithAGoodCardSucceeds() {
            fixture.given(created(null, CaptureMethod.AUTOMATIC, REQUIRES_PAYMENT_METHOD),
                           failed("pm_card_chargeDeclined", "ch_earlier"))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, VISA, null))
                   .expectEvents(new PaymentIntentSucceeded(ID, VISA, AMOUNT, approvedCharge("ch_test1", VISA, true),
                           SUCCEEDED, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
        }

        @Test
        void aRetryAfterADeclineIsANewChargeAttempt() {
            fixture.givenCommands(create(null, null, false),
                           new ConfirmPaymentIntent(ID, ACCOUNT, "pm_card_chargeDeclinedInsufficientFunds", null))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, "pm_card_mastercard", null))
                   .expectEvents(new PaymentIntentSucceeded(ID, "pm_card_mastercard", AMOUNT,
                           approvedCharge("ch_test2", "pm_card_mastercard", true), SUCCEEDED, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
        }

        @Test
        void cannotConfirmWithoutAPaymentMethod() {
            assertRejected(givenStatus(REQUIRES_PAYMENT_METHOD).when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null)),
                    unexpectedState(MISSING_PAYMENT_METHOD, 0));
        }

        @Test
        void aDeclinedPaymentMethodIsDetachedSoConfirmingAgainNeedsANewOne() {
            fixture.given(created(VISA, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION),
                           failed("pm_card_chargeDeclined", "ch_earlier"))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null))
                   .expectException(CommandExecutionException.class)
                   .expectExceptionDetails(unexpectedState(MISSING_PAYMENT_METHOD, 1))
                   .expectNoEvents();
        }

        @Test
        void cannotConfirmWithAnUnknownPaymentMethod() {
            assertRejected(givenStatus(REQUIRES_PAYMENT_METHOD)
                                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, "pm_card_unknown", null)),
                    invalidParameter("resource_missing", "payment_method", "No such PaymentMethod: 'pm_card_unknown'"));
        }

        @Test
        void cannotConfirmWithAPaymentMethodOfATypeNotInPaymentMethodTypes() {
            fixture.given(new PaymentIntentCreated(ID, ACCOUNT, AMOUNT, "usd", null, null, Map.of(),
                           List.of("direct_debit"), CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC, null, null,
                           REQUIRES_PAYMENT_METHOD, NOW))
                   .when(new ConfirmPaymentIntent(ID, ACCOUNT, VISA, null))
                   .expectException(CommandExecutionException.class)
                   .expectExceptionDetails(invalidParameter("payment_intent_incompatible_payment_method",
                           "payment_method", "The provided PaymentMethod (pm_card_visa) has type card, which is not "
                                   + "allowed by this PaymentIntent's payment_method_types: direct_debit."))
                   .expectNoEvents();
        }
    }

    // ------------------------------------------------------------------------------------------------ update

    @Nested
    class Update {

        @Test
        void updatingTheAmountKeepsTheStatus() {
            givenStatus(REQUIRES_CONFIRMATION)
                    .when(update().amount(2000).build())
                    .expectEvents(updated(2000, "usd", null, null, Map.of(), VISA, REQUIRES_CONFIRMATION))
                    .expectResultMessagePayload(new CommandOutcome(ID, 1, null));
        }

        @Test
        void updatingTheCurrencyRevalidatesTheAmountInIt() {
            givenStatus(REQUIRES_PAYMENT_METHOD)
                    .when(update().currency("gbp").build())
                    .expectEvents(updated(AMOUNT, "gbp", null, null, Map.of(), null, REQUIRES_PAYMENT_METHOD));
        }

        @Test
        void updatingTheDescriptionAndCustomer() {
            givenStatus(REQUIRES_PAYMENT_METHOD)
                    .when(update().description("Order 43").customer("cus_9").build())
                    .expectEvents(updated(AMOUNT, "usd", "cus_9", "Order 43", Map.of(), null,
                            REQUIRES_PAYMENT_METHOD));
        }

        @Test
        void anEmptyDescriptionUnsetsIt() {
            fixture.given(createdWith("Order 42", Map.of()))
                   .when(update().description("").build())
                   .expectEvents(updated(AMOUNT, "usd", null, null, Map.of(), null, REQUIRES_PAYMENT_METHOD));
        }

        @Test
        void metadataIsMergedKeyByKeyAndAnEmptyValueUnsetsAKey() {
            Map<String, String> changes = new LinkedHashMap<>();
            changes.put("b", "");
            changes.put("c", "3");
            changes.put("a", "10");
            fixture.given(createdWith(null, Map.of("a", "1", "b", "2", "d", "4")))
                   .when(update().metadata(changes).build())
                   .expectEvents(updated(AMOUNT, "usd", null, null, Map.of("a", "10", "c", "3", "d", "4"), null,
                           REQUIRES_PAYMENT_METHOD));
        }

        @Test
        void clearMetadataRemovesEveryKeyBeforeTheNewOnesAreSet() {
            fixture.given(createdWith(null, Map.of("a", "1", "b", "2")))
                   .when(update().metadata(Map.of("z", "26")).clearMetadata().build())
                   .expectEvents(updated(AMOUNT, "usd", null, null, Map.of("z", "26"), null,
                           REQUIRES_PAYMENT_METHOD));
        }

        @Test
        void clearMetadataAloneLeavesNoMetadata() {
            fixture.given(createdWith(null, Map.of("a", "1")))
                   .when(update().clearMetadata().build())
                   .expectEvents(updated(AMOUNT, "usd", null, null, Map.of(), null, REQUIRES_PAYMENT_METHOD));
        }

        @Test
        void attachingAPaymentMethodMovesRequiresPaymentMethodToRequiresConfirmation() {
            givenStatus(REQUIRES_PAYMENT_METHOD)
                    .when(update().paymentMethod(VISA).build())
                    .expectEvents(updated(AMOUNT, "usd", null, null, Map.of(), VISA, REQUIRES_CONFIRMATION))
                    .expectResultMessagePayload(new CommandOutcome(ID, 1, null));
        }

        @Test
        void attachingAPaymentMethodMovesRequiresActionToRequiresConfirmation() {
            givenStatus(REQUIRES_ACTION)
                    .when(update().paymentMethod("pm_card_amex").build())
                    .expectEvents(updated(AMOUNT, "usd", null, null, Map.of(), "pm_card_amex",
                            REQUIRES_CONFIRMATION));
        }

        @Test
        void replacingThePaymentMethodWhileRequiringConfirmationKeepsTheStatus() {
            givenStatus(REQUIRES_CONFIRMATION)
                    .when(update().paymentMethod("pm_card_mastercard").build())
                    .expectEvents(updated(AMOUNT, "usd", null, null, Map.of(), "pm_card_mastercard",
                            REQUIRES_CONFIRMATION));
        }

        @Test
        void updatingPaymentMethodTypes() {
            givenStatus(REQUIRES_PAYMENT_METHOD)
                    .when(update().paymentMethodTypes(List.of("card", "open_banking")).build())
                    .expectEvents(new PaymentIntentUpdated(ID, AMOUNT, "usd", null, null, Map.of(),
                            List.of("card", "open_banking"), null, REQUIRES_PAYMENT_METHOD, NOW));
        }

        @Test
        void anUpdateThatChangesNothingWritesNoEvent() {
            fixture.given(createdWith("Order 42", Map.of("a", "1")))
                   .when(update().amount(AMOUNT).currency("usd").description("Order 42").metadata(Map.of("a", "1"))
                                 .build())
                   .expectSuccessfulHandlerExecution()
                   .expectNoEvents()
                   .expectResultMessagePayload(new CommandOutcome(ID, 0, null));
        }

        @Test
        void anEmptyUpdateWritesNoEvent() {
            givenStatus(REQUIRES_CONFIRMATION)
                    .when(update().build())
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents()
                    .expectResultMessagePayload(new CommandOutcome(ID, 0, null));
        }

        @Test
        void reattachingTheSamePaymentMethodWritesNoEvent() {
            givenStatus(REQUIRES_CONFIRMATION)
                    .when(update().paymentMethod(VISA).build())
                    .expectNoEvents()
                    .expectResultMessagePayload(new CommandOutcome(ID, 0, null));
        }

        @Test
        void anUpdateAfterADeclineClearsTheLastPaymentErrorEvenWhenItChangesNothing() {
            fixture.given(created(VISA, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION),
                           failed("pm_card_chargeDeclined", "ch_earlier"))
                   .when(update().build())
                   .expectEvents(updated(AMOUNT, "usd", null, null, Map.of(), null, REQUIRES_PAYMENT_METHOD))
                   .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
        }

        @Test
        void onceTheErrorIsClearedAnEmptyUpdateIsANoOpAgain() {
            fixture.given(created(VISA, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION),
                           failed("pm_card_chargeDeclined", "ch_earlier"),
                           updated(AMOUNT, "usd", null, null, Map.of(), null, REQUIRES_PAYMENT_METHOD))
                   .when(update().build())
                   .expectNoEvents()
                   .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
        }

        @Test
        void aSuccessfulRetryAlsoClearsTheLastPaymentError() {
            fixture.given(created(null, CaptureMethod.AUTOMATIC, REQUIRES_PAYMENT_METHOD),
                           failed("pm_card_chargeDeclined", "ch_earlier"),
                           new PaymentIntentSucceeded(ID, VISA, AMOUNT, approvedCharge("ch_1", VISA, true), SUCCEEDED,
                                   NOW))
                   .when(update().description(null).build())
                   .expectNoEvents();
        }

        @Test
        void metadataOnlyUpdateIsAllowedInSucceeded() {
            givenStatus(SUCCEEDED)
                    .when(update().metadata(Map.of("shipped", "yes")).build())
                    .expectEvents(updated(AMOUNT, "usd", null, null, Map.of("shipped", "yes"), VISA, SUCCEEDED))
                    .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
        }

        @Test
        void descriptionOnlyUpdateIsAllowedInSucceeded() {
            givenStatus(SUCCEEDED)
                    .when(update().description("Refund pending").build())
                    .expectEvents(updated(AMOUNT, "usd", null, "Refund pending", Map.of(), VISA, SUCCEEDED));
        }

        @Test
        void metadataAndDescriptionUpdateIsAllowedInRequiresCapture() {
            givenStatus(REQUIRES_CAPTURE)
                    .when(update().description("Held").metadata(Map.of("k", "v")).clearMetadata().build())
                    .expectEvents(updated(AMOUNT, "usd", null, "Held", Map.of("k", "v"), VISA, REQUIRES_CAPTURE))
                    .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
        }

        @Test
        void metadataOnlyUpdateIsAllowedInProcessing() {
            givenStatus(PROCESSING)
                    .when(update().metadata(Map.of("k", "v")).build())
                    .expectEvents(updated(AMOUNT, "usd", null, null, Map.of("k", "v"), VISA, PROCESSING));
        }

        @Test
        void cannotUpdateTheAmountWhileRequiringCapture() {
            assertRejected(givenStatus(REQUIRES_CAPTURE).when(update().amount(500).build()),
                    unexpectedState(message("update", "updated", REQUIRES_CAPTURE, UPDATE_STATUSES), 1));
        }

        @Test
        void cannotUpdateTheCustomerOfASucceededIntent() {
            assertRejected(givenStatus(SUCCEEDED).when(update().customer("cus_2").build()),
                    unexpectedState(message("update", "updated", SUCCEEDED, UPDATE_STATUSES), 1));
        }

        @Test
        void cannotUpdateEvenMetadataOfACanceledIntent() {
            assertRejected(givenStatus(CANCELED).when(update().metadata(Map.of("k", "v")).build()),
                    unexpectedState(message("update", "updated", CANCELED, DESCRIPTIVE_UPDATE_STATUSES), 1));
        }

        @Test
        void cannotUpdateToAnAmountBelowTheCurrencyMinimum() {
            assertRejected(givenStatus(REQUIRES_PAYMENT_METHOD).when(update().amount(10).build()),
                    invalidParameter("amount_too_small", "amount", "Amount must be at least $0.50 usd"));
        }

        @Test
        void cannotUpdateToACurrencyWhoseMinimumTheAmountMisses() {
            // 1000 minor units are 10.00 czk; the czk minimum is 15.00
            assertRejected(givenStatus(REQUIRES_PAYMENT_METHOD).when(update().currency("czk").build()),
                    invalidParameter("amount_too_small", "amount", "Amount must be at least 15.00 czk"));
        }

        @Test
        void cannotUpdateToAnAmountAboveTheMaximum() {
            assertRejected(givenStatus(REQUIRES_PAYMENT_METHOD).when(update().amount(100_000_000).build()),
                    invalidParameter("amount_too_large", "amount", "Amount must be no more than $999,999.99 usd"));
        }

        @Test
        void cannotUpdateToAnUnknownCurrency() {
            assertRejected(givenStatus(REQUIRES_PAYMENT_METHOD).when(update().currency("abc").build()),
                    invalidParameter("invalid_currency", "currency",
                            "Invalid currency: abc. Use a lowercase three-letter ISO 4217 currency code."));
        }

        @Test
        void cannotAttachAnUnknownPaymentMethod() {
            assertRejected(givenStatus(REQUIRES_PAYMENT_METHOD).when(update().paymentMethod("pm_nope").build()),
                    invalidParameter("resource_missing", "payment_method", "No such PaymentMethod: 'pm_nope'"));
        }

        @Test
        void cannotAttachAPaymentMethodOfATypeNotInPaymentMethodTypes() {
            assertRejected(givenStatus(REQUIRES_PAYMENT_METHOD)
                                   .when(update().paymentMethod(VISA).paymentMethodTypes(List.of("open_banking"))
                                                 .build()),
                    invalidParameter("payment_intent_incompatible_payment_method", "payment_method",
                            "The provided PaymentMethod (pm_card_visa) has type card, which is not allowed by this "
                                    + "PaymentIntent's payment_method_types: open_banking."));
        }

        @Test
        void cannotUpdateToAnUnsupportedPaymentMethodType() {
            assertRejected(givenStatus(REQUIRES_PAYMENT_METHOD)
                                   .when(update().paymentMethodTypes(List.of("paypal")).build()),
                    invalidParameter("payment_intent_invalid_parameter", "payment_method_types[0]",
                            "The payment method type \"paypal\" is invalid. Supported types are: card, direct_debit, "
                                    + "open_banking."));
        }

        @Test
        void cannotGrowMetadataBeyondFiftyKeys() {
            fixture.given(createdWith(null, metadataKeys("old", 30)))
                   .when(update().metadata(metadataKeys("new", 21)).build())
                   .expectException(CommandExecutionException.class)
                   .expectExceptionDetails(tooManyMetadataKeys())
                   .expectNoEvents();
        }

        @Test
        void replacingMetadataWithClearMetadataCountsOnlyTheNewKeys() {
            fixture.given(createdWith(null, metadataKeys("old", 30)))
                   .when(update().metadata(metadataKeys("new", 50)).clearMetadata().build())
                   .expectEvents(updated(AMOUNT, "usd", null, null, metadataKeys("new", 50), null,
                           REQUIRES_PAYMENT_METHOD));
        }
    }

    // ----------------------------------------------------------------------------------------------- capture

    @Nested
    class Capture {

        @Test
        void capturingWithoutAnAmountCapturesAllOfIt() {
            givenStatus(REQUIRES_CAPTURE)
                    .when(new CapturePaymentIntent(ID, ACCOUNT, null))
                    .expectEvents(new PaymentIntentCaptured(ID, AMOUNT, 0, "usd",
                            new Charge(HELD_CHARGE, AMOUNT, AMOUNT, 0, "usd", true, "succeeded", VISA, "card", null,
                                    null, null, "authorized", "Payment complete.", NOW),
                            SUCCEEDED, NOW))
                    .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
        }

        @Test
        void capturingExactlyTheCapturableAmountIsAFullCapture() {
            givenStatus(REQUIRES_CAPTURE)
                    .when(new CapturePaymentIntent(ID, ACCOUNT, AMOUNT))
                    .expectEvents(new PaymentIntentCaptured(ID, AMOUNT, 0, "usd",
                            new Charge(HELD_CHARGE, AMOUNT, AMOUNT, 0, "usd", true, "succeeded", VISA, "card", null,
                                    null, null, "authorized", "Payment complete.", NOW),
                            SUCCEEDED, NOW));
        }

        @Test
        void aPartialCaptureReleasesTheRemainder() {
            givenStatus(REQUIRES_CAPTURE)
                    .when(new CapturePaymentIntent(ID, ACCOUNT, 600L))
                    .expectEvents(new PaymentIntentCaptured(ID, 600, 400, "usd",
                            new Charge(HELD_CHARGE, AMOUNT, 600, 400, "usd", true, "succeeded", VISA, "card", null,
                                    null, null, "authorized", "Payment complete.", NOW),
                            SUCCEEDED, NOW))
                    .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
        }

        @Test
        void cannotCaptureMoreThanIsCapturable() {
            assertRejected(givenStatus(REQUIRES_CAPTURE).when(new CapturePaymentIntent(ID, ACCOUNT, 1001L)),
                    invalidParameter("amount_too_large", "amount_to_capture",
                            "The amount to capture (1001) must be less than or equal to the amount capturable "
                                    + "(1000).").about(ID, 1));
        }

        @ParameterizedTest
        @ValueSource(longs = {0, -5})
        void cannotCaptureANonPositiveAmount(long amountToCapture) {
            assertRejected(givenStatus(REQUIRES_CAPTURE).when(new CapturePaymentIntent(ID, ACCOUNT, amountToCapture)),
                    invalidParameter("parameter_invalid_integer", "amount_to_capture",
                            "This value must be greater than or equal to 1.").about(ID, 1));
        }

        @Test
        void cannotCaptureACanceledIntent() {
            assertRejected(givenStatus(CANCELED).when(new CapturePaymentIntent(ID, ACCOUNT, null)),
                    unexpectedState("You cannot capture this PaymentIntent because it has a status of canceled. "
                            + "Only a PaymentIntent with one of the following statuses may be captured: "
                            + "requires_capture.", 1));
        }

        @Test
        void cannotCaptureTwice() {
            fixture.given(givenEvents(REQUIRES_CAPTURE))
                   .andGivenCommands(new CapturePaymentIntent(ID, ACCOUNT, 500L))
                   .when(new CapturePaymentIntent(ID, ACCOUNT, 500L))
                   .expectException(CommandExecutionException.class)
                   .expectExceptionDetails(unexpectedState(message("capture", "captured", SUCCEEDED,
                           List.of(REQUIRES_CAPTURE)), 2))
                   .expectNoEvents();
        }
    }

    // ------------------------------------------------------------------------------------------------ cancel

    @Nested
    class Cancel {

        static Stream<Arguments> cancelableStatusesAndClientReasons() {
            List<Arguments> cases = new ArrayList<>();
            for (PaymentIntentStatus status : List.of(REQUIRES_PAYMENT_METHOD, REQUIRES_CONFIRMATION,
                    REQUIRES_ACTION, REQUIRES_CAPTURE)) {
                for (CancellationReason reason : List.of(CancellationReason.DUPLICATE, CancellationReason.FRAUDULENT,
                        CancellationReason.REQUESTED_BY_CUSTOMER, CancellationReason.ABANDONED)) {
                    cases.add(arguments(status, reason));
                }
            }
            return cases.stream();
        }

        @ParameterizedTest(name = "from {0} because {1}")
        @MethodSource("cancelableStatusesAndClientReasons")
        void anIntentCanBeCanceledFromEveryCancelableStatusWithEveryClientReason(PaymentIntentStatus status,
                                                                                 CancellationReason reason) {
            List<Object> given = givenEvents(status);
            Charge released = status == REQUIRES_CAPTURE ? releasedHeldCharge() : null;
            fixture.given(given)
                   .when(new CancelPaymentIntent(ID, ACCOUNT, reason))
                   .expectEvents(new PaymentIntentCanceled(ID, reason, released, CANCELED, NOW))
                   .expectResultMessagePayload(new CommandOutcome(ID, given.size(), null));
        }

        @Test
        void cancelingWithoutAReason() {
            givenStatus(REQUIRES_CONFIRMATION)
                    .when(new CancelPaymentIntent(ID, ACCOUNT, null))
                    .expectEvents(new PaymentIntentCanceled(ID, null, null, CANCELED, NOW));
        }

        @Test
        void cancelingAnIntentThatRequiresCaptureReleasesTheHeldCharge() {
            givenStatus(REQUIRES_CAPTURE)
                    .when(new CancelPaymentIntent(ID, ACCOUNT, CancellationReason.REQUESTED_BY_CUSTOMER))
                    .expectEvents(new PaymentIntentCanceled(ID, CancellationReason.REQUESTED_BY_CUSTOMER,
                            new Charge(HELD_CHARGE, AMOUNT, 0, AMOUNT, "usd", false, "succeeded", VISA, "card",
                                    null, null, null, "authorized", "Payment complete.", NOW),
                            CANCELED, NOW))
                    .expectResultMessagePayload(new CommandOutcome(ID, 2, null));
        }

        @Test
        void cannotCancelASucceededIntentWithStripesMessage() {
            assertRejected(givenStatus(SUCCEEDED).when(new CancelPaymentIntent(ID, ACCOUNT, null)),
                    // verbatim from api-semantics.md
                    unexpectedState("You cannot cancel this PaymentIntent because it has a status of succeeded. "
                            + "Only a PaymentIntent with one of the following statuses may be canceled: "
                            + "requires_payment_method, requires_capture, requires_confirmation, requires_action.", 1));
        }

        @Test
        void cannotCancelTwice() {
            assertRejected(givenStatus(CANCELED).when(new CancelPaymentIntent(ID, ACCOUNT,
                            CancellationReason.DUPLICATE)),
                    unexpectedState(message("cancel", "canceled", CANCELED, CANCEL_STATUSES), 1));
        }
    }

    // -------------------------------------------------------------------------------- the whole status table

    /** One representative command per column of the table in api-semantics.md "Statuses and legal transitions". */
    enum Attempt {
        CONFIRM, UPDATE, UPDATE_METADATA, CAPTURE, CANCEL;

        Object command() {
            return switch (this) {
                case CONFIRM -> new ConfirmPaymentIntent(ID, ACCOUNT, VISA, null);
                case UPDATE -> new UpdateBuilder().amount(2000).build();
                case UPDATE_METADATA -> new UpdateBuilder().metadata(Map.of("order_id", "42")).build();
                case CAPTURE -> new CapturePaymentIntent(ID, ACCOUNT, null);
                case CANCEL -> new CancelPaymentIntent(ID, ACCOUNT, CancellationReason.ABANDONED);
            };
        }

        String rejectionMessage(PaymentIntentStatus status) {
            return switch (this) {
                case CONFIRM -> message("confirm", "confirmed", status, CONFIRM_STATUSES);
                case UPDATE -> message("update", "updated", status, UPDATE_STATUSES);
                case UPDATE_METADATA -> message("update", "updated", status, DESCRIPTIVE_UPDATE_STATUSES);
                case CAPTURE -> message("capture", "captured", status, List.of(REQUIRES_CAPTURE));
                case CANCEL -> message("cancel", "canceled", status, CANCEL_STATUSES);
            };
        }

        PaymentIntentStatus statusAfter(PaymentIntentStatus before) {
            return switch (this) {
                case CONFIRM, CAPTURE -> SUCCEEDED;
                case UPDATE, UPDATE_METADATA -> before;
                case CANCEL -> CANCELED;
            };
        }
    }

    /** The table of api-semantics.md, written out independently of {@link Operation}. */
    private static final Map<PaymentIntentStatus, Set<Attempt>> SPEC_ALLOWED = Map.of(
            REQUIRES_PAYMENT_METHOD, EnumSet.of(Attempt.CONFIRM, Attempt.UPDATE, Attempt.UPDATE_METADATA,
                    Attempt.CANCEL),
            REQUIRES_CONFIRMATION, EnumSet.of(Attempt.CONFIRM, Attempt.UPDATE, Attempt.UPDATE_METADATA,
                    Attempt.CANCEL),
            REQUIRES_ACTION, EnumSet.of(Attempt.CONFIRM, Attempt.UPDATE, Attempt.UPDATE_METADATA, Attempt.CANCEL),
            PROCESSING, EnumSet.of(Attempt.UPDATE_METADATA),
            REQUIRES_CAPTURE, EnumSet.of(Attempt.UPDATE_METADATA, Attempt.CAPTURE, Attempt.CANCEL),
            SUCCEEDED, EnumSet.of(Attempt.UPDATE_METADATA),
            CANCELED, EnumSet.noneOf(Attempt.class),
            FAILED, EnumSet.noneOf(Attempt.class));

    static Stream<Arguments> statusTable() {
        List<Arguments> cases = new ArrayList<>();
        for (PaymentIntentStatus status : PaymentIntentStatus.values()) {
            for (Attempt attempt : Attempt.values()) {
                cases.add(arguments(status, attempt, SPEC_ALLOWED.get(status).contains(attempt)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} in {0}: allowed={2}")
    @MethodSource("statusTable")
    void everyOperationIsAllowedOrRejectedExactlyAsTheStatusTableSays(PaymentIntentStatus status, Attempt attempt,
                                                                      boolean allowed) {
        List<Object> given = givenEvents(status);
        ResultValidator<PaymentIntent> result = fixture.given(given).when(attempt.command());
        if (allowed) {
            PaymentIntentStatus expected = attempt.statusAfter(status);
            result.expectSuccessfulHandlerExecution()
                  .expectEventsMatching(Matchers.payloadsMatching(Matchers.exactSequenceOf(
                          Matchers.predicate(e -> e instanceof PaymentIntentEvent event
                                  && event.status() == expected), Matchers.andNoMore())))
                  .expectResultMessagePayload(new CommandOutcome(ID, given.size(), null));
        } else {
            assertRejected(result, unexpectedState(attempt.rejectionMessage(status), given.size() - 1));
        }
    }

    @Test
    void theStatusTableOfTheAggregateMatchesTheSpec() {
        Map<Attempt, Operation> operationOf = Map.of(Attempt.CONFIRM, Operation.CONFIRM, Attempt.UPDATE,
                Operation.UPDATE, Attempt.UPDATE_METADATA, Operation.UPDATE_DESCRIPTIVE_FIELDS, Attempt.CAPTURE,
                Operation.CAPTURE, Attempt.CANCEL, Operation.CANCEL);
        for (PaymentIntentStatus status : PaymentIntentStatus.values()) {
            for (Attempt attempt : Attempt.values()) {
                assertThat(operationOf.get(attempt).isAllowedIn(status))
                        .as("%s in %s", attempt, status)
                        .isEqualTo(SPEC_ALLOWED.get(status).contains(attempt));
                assertThat(operationOf.get(attempt).rejectionMessage(status))
                        .isEqualTo(attempt.rejectionMessage(status));
            }
        }
    }

    // ----------------------------------------------------------------------------------------- other account

    static Stream<Arguments> commandsOfAnotherAccount() {
        return Stream.of(
                arguments("confirm", new ConfirmPaymentIntent(ID, OTHER_ACCOUNT, VISA, null)),
                arguments("update", new UpdateBuilder().account(OTHER_ACCOUNT).amount(2000).build()),
                arguments("update metadata", new UpdateBuilder().account(OTHER_ACCOUNT).metadata(Map.of("k", "v"))
                                                                 .build()),
                arguments("capture", new CapturePaymentIntent(ID, OTHER_ACCOUNT, null)),
                arguments("cancel", new CancelPaymentIntent(ID, OTHER_ACCOUNT, CancellationReason.FRAUDULENT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandsOfAnotherAccount")
    void anotherAccountsCommandIsAnsweredAsIfTheIntentDidNotExist(String name, Object command) {
        // requires_capture: every one of these commands except the full update would be allowed for the owner
        assertRejected(givenStatus(REQUIRES_CAPTURE).when(command), noSuchPaymentIntent());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandsOfAnotherAccount")
    void anotherAccountLearnsNothingAboutTheStatusEither(String name, Object command) {
        // canceled: the owner would get 400 payment_intent_unexpected_state, a stranger must still get 404
        assertRejected(givenStatus(CANCELED).when(command), noSuchPaymentIntent());
    }

    @Test
    void theRejectionTravelsAsApiErrorDetailsOfTheCommandExecutionException() {
        givenStatus(SUCCEEDED)
                .when(new CapturePaymentIntent(ID, ACCOUNT, null))
                .expectException(Matchers.predicate((Throwable t) -> t instanceof CommandExecutionException
                        && Rejections.apiErrorOf(t).filter(e -> e.status() == 400
                        && "payment_intent_unexpected_state".equals(e.code())
                        && ID.equals(e.paymentIntentId()) && e.paymentIntentVersion() == 1).isPresent()))
                .expectExceptionDetails(Matchers.predicate((Object details) -> details instanceof ApiError e
                        && e.status() == 400 && "invalid_request_error".equals(e.type())
                        && "payment_intent_unexpected_state".equals(e.code()) && e.param() == null
                        && e.message().startsWith("You cannot capture this PaymentIntent because it has a status of "
                        + "succeeded.")));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static final List<PaymentIntentStatus> CONFIRM_STATUSES =
            List.of(REQUIRES_PAYMENT_METHOD, REQUIRES_CONFIRMATION, REQUIRES_ACTION);
    private static final List<PaymentIntentStatus> UPDATE_STATUSES =
            List.of(REQUIRES_PAYMENT_METHOD, REQUIRES_CONFIRMATION, REQUIRES_ACTION);
    private static final List<PaymentIntentStatus> DESCRIPTIVE_UPDATE_STATUSES = List.of(REQUIRES_PAYMENT_METHOD,
            REQUIRES_CONFIRMATION, REQUIRES_ACTION, PROCESSING, REQUIRES_CAPTURE, SUCCEEDED);
    /** Stripe's own order, as quoted in api-semantics.md. */
    private static final List<PaymentIntentStatus> CANCEL_STATUSES =
            List.of(REQUIRES_PAYMENT_METHOD, REQUIRES_CAPTURE, REQUIRES_CONFIRMATION, REQUIRES_ACTION);

    private static String message(String verb, String participle, PaymentIntentStatus status,
                                  List<PaymentIntentStatus> allowed) {
        return "You cannot " + verb + " this PaymentIntent because it has a status of " + status.wireName()
                + ". Only a PaymentIntent with one of the following statuses may be " + participle + ": "
                + allowed.stream().map(PaymentIntentStatus::wireName).collect(Collectors.joining(", ")) + ".";
    }

    /** The test payment methods that decline, with Stripe's code, decline_code and message. */
    static Stream<Arguments> declines() {
        return Stream.of(
                arguments("pm_card_chargeDeclined", "card_declined", "generic_decline", "Your card was declined."),
                arguments("pm_card_visa_chargeDeclined", "card_declined", "generic_decline",
                        "Your card was declined."),
                arguments("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds",
                        "Your card has insufficient funds."),
                arguments("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card",
                        "Your card has expired."),
                arguments("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc",
                        "Your card's security code is incorrect."),
                arguments("pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error",
                        "An error occurred while processing your card. Try again in a little bit."));
    }

    private void assertRejected(ResultValidator<PaymentIntent> result, ApiError expected) {
        result.expectException(CommandExecutionException.class)
              .expectExceptionMessage(expected.message())
              .expectExceptionDetails(expected)
              .expectNoEvents();
    }

    private static ApiError unexpectedState(String message, long version) {
        return new ApiError(400, INVALID_REQUEST, "payment_intent_unexpected_state", null, message, null, ID,
                version);
    }

    private static ApiError invalidParameter(String code, String param, String message) {
        return new ApiError(400, INVALID_REQUEST, code, param, message, null, null, -1);
    }

    private static ApiError noSuchPaymentIntent() {
        return new ApiError(404, INVALID_REQUEST, "resource_missing", "intent", "No such payment_intent: 'pi_test1'",
                null, null, -1);
    }

    private static ApiError tooManyMetadataKeys() {
        return invalidParameter("parameter_invalid_string", "metadata",
                "Invalid metadata: metadata can have at most 50 keys.");
    }

    private static Map<String, String> metadataKeys(String prefix, int count) {
        return IntStream.rangeClosed(1, count).boxed()
                        .collect(Collectors.toMap(i -> prefix + i, i -> "v" + i));
    }

    private TestExecutor<PaymentIntent> givenStatus(PaymentIntentStatus status) {
        return fixture.given(givenEvents(status));
    }

    /**
     * A history that leaves the intent in {@code status}, with the version {@code size() - 1}. For requires_action
     * and processing it is a created event carrying that status, which is enough for the status machine checked
     * here; the real paths into those statuses are in {@link PaymentFlowsTest}.
     */
    private static List<Object> givenEvents(PaymentIntentStatus status) {
        return switch (status) {
            case REQUIRES_PAYMENT_METHOD -> List.of(created(null, CaptureMethod.AUTOMATIC, REQUIRES_PAYMENT_METHOD));
            case REQUIRES_CONFIRMATION -> List.of(created(VISA, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION));
            case REQUIRES_ACTION -> List.of(created(VISA, CaptureMethod.AUTOMATIC, REQUIRES_ACTION));
            case PROCESSING -> List.of(created(VISA, CaptureMethod.AUTOMATIC, PROCESSING));
            case REQUIRES_CAPTURE -> List.of(created(VISA, CaptureMethod.MANUAL, REQUIRES_CONFIRMATION),
                    new PaymentIntentAmountCapturableUpdated(ID, VISA, AMOUNT, approvedCharge(HELD_CHARGE, VISA, false),
                            REQUIRES_CAPTURE, NOW));
            case SUCCEEDED -> List.of(created(VISA, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION),
                    new PaymentIntentSucceeded(ID, VISA, AMOUNT, approvedCharge("ch_1", VISA, true), SUCCEEDED, NOW));
            case CANCELED -> List.of(created(null, CaptureMethod.AUTOMATIC, REQUIRES_PAYMENT_METHOD),
                    new PaymentIntentCanceled(ID, CancellationReason.ABANDONED, null, CANCELED, NOW));
            case FAILED -> List.of(created(VISA, CaptureMethod.AUTOMATIC, REQUIRES_CONFIRMATION),
                    new PaymentIntentPaymentFailed(ID, cardError(VISA, "card_declined", "generic_decline",
                            "Your card was declined.", "ch_1"), declinedCharge("ch_1", VISA, "card_declined",
                            "generic_decline", "Your card was declined."), FAILED, NOW));
        };
    }

    private static CreatePaymentIntent create(String paymentMethod, CaptureMethod captureMethod, boolean confirm) {
        return new CreatePaymentIntent(ID, ACCOUNT, AMOUNT, "usd", null, null, null, null, captureMethod, null,
                paymentMethod, null, confirm);
    }

    private static CreatePaymentIntent createAmount(long amount, String currency) {
        return new CreatePaymentIntent(ID, ACCOUNT, amount, currency, null, null, null, null, null, null, null, null,
                false);
    }

    private static PaymentIntentCreated created(String paymentMethod, CaptureMethod captureMethod,
                                                PaymentIntentStatus status) {
        return new PaymentIntentCreated(ID, ACCOUNT, AMOUNT, "usd", null, null, Map.of(), List.of("card"),
                captureMethod, ConfirmationMethod.AUTOMATIC, paymentMethod, null, status, NOW);
    }

    private static PaymentIntentCreated createdWith(String description, Map<String, String> metadata) {
        return new PaymentIntentCreated(ID, ACCOUNT, AMOUNT, "usd", null, description, metadata, List.of("card"),
                CaptureMethod.AUTOMATIC, ConfirmationMethod.AUTOMATIC, null, null, REQUIRES_PAYMENT_METHOD,
                NOW);
    }

    private static PaymentIntentUpdated updated(long amount, String currency, String customer, String description,
                                                Map<String, String> metadata, String paymentMethod,
                                                PaymentIntentStatus status) {
        return new PaymentIntentUpdated(ID, amount, currency, customer, description, metadata, List.of("card"),
                paymentMethod, status, NOW);
    }

    private static PaymentIntentPaymentFailed failed(String paymentMethod, String chargeId) {
        return new PaymentIntentPaymentFailed(ID, cardError(paymentMethod, "card_declined", "generic_decline",
                "Your card was declined.", chargeId), declinedCharge(chargeId, paymentMethod, "card_declined",
                "generic_decline", "Your card was declined."), REQUIRES_PAYMENT_METHOD, NOW);
    }

    private static Charge approvedCharge(String chargeId, String paymentMethod, boolean captured) {
        return new Charge(chargeId, AMOUNT, captured ? AMOUNT : 0, 0, "usd", captured, "succeeded", paymentMethod,
                "card", null, null, null, "authorized", "Payment complete.", NOW);
    }

    private static Charge releasedHeldCharge() {
        return new Charge(HELD_CHARGE, AMOUNT, 0, AMOUNT, "usd", false, "succeeded", VISA, "card", null, null, null,
                "authorized", "Payment complete.", NOW);
    }

    private static Charge declinedCharge(String chargeId, String paymentMethod, String code, String declineCode,
                                         String message) {
        return new Charge(chargeId, AMOUNT, 0, 0, "usd", false, "failed", paymentMethod, "card", code, message,
                declineCode, "issuer_declined", "The bank did not return any further details with this decline.",
                NOW);
    }

    private static PaymentError cardError(String paymentMethod, String code, String declineCode, String message,
                                          String chargeId) {
        return new PaymentError("card_error", code, declineCode, message, paymentMethod, "card", chargeId);
    }

    private static UpdateBuilder update() {
        return new UpdateBuilder();
    }

    /** UpdatePaymentIntent has ten components, most of them null in any one test. */
    static final class UpdateBuilder {
        private String account = ACCOUNT;
        private Long amount;
        private String currency;
        private String customer;
        private String description;
        private Map<String, String> metadata;
        private boolean clearMetadata;
        private String paymentMethod;
        private List<String> paymentMethodTypes;

        UpdateBuilder account(String value) {
            account = value;
            return this;
        }

        UpdateBuilder amount(long value) {
            amount = value;
            return this;
        }

        UpdateBuilder currency(String value) {
            currency = value;
            return this;
        }

        UpdateBuilder customer(String value) {
            customer = value;
            return this;
        }

        UpdateBuilder description(String value) {
            description = value;
            return this;
        }

        UpdateBuilder metadata(Map<String, String> value) {
            metadata = value;
            return this;
        }

        UpdateBuilder clearMetadata() {
            clearMetadata = true;
            return this;
        }

        UpdateBuilder paymentMethod(String value) {
            paymentMethod = value;
            return this;
        }

        UpdateBuilder paymentMethodTypes(List<String> value) {
            paymentMethodTypes = value;
            return this;
        }

        UpdatePaymentIntent build() {
            return new UpdatePaymentIntent(ID, account, amount, currency, customer, description, metadata,
                    clearMetadata, paymentMethod, paymentMethodTypes);
        }
    }
}
