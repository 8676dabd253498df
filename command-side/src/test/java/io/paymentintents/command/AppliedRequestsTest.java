package io.paymentintents.command;

import io.paymentintents.api.AuditMetadata;
import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.Charge;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.command.CancelPaymentIntent;
import io.paymentintents.api.command.CapturePaymentIntent;
import io.paymentintents.api.command.CommandOutcome;
import io.paymentintents.api.command.ConfirmPaymentIntent;
import io.paymentintents.api.event.PaymentIntentAmountCapturableUpdated;
import io.paymentintents.api.event.PaymentIntentCaptured;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.command.processor.TestModeProcessor;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CAPTURE;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_CONFIRMATION;
import static io.paymentintents.api.PaymentIntentStatus.SUCCEEDED;

/**
 * Exactly once across crashes: a keyed request whose events were stored, but whose response was lost, is answered
 * with the current state when retried, and acts no second time. A different request is judged on its own.
 */
class AppliedRequestsTest {

    private static final String ID = "pi_retry";
    private static final String ACCOUNT = "acct_retry";
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final Charge HOLD = new Charge("ch_hold", 1000, 0, 0, "usd", false, "succeeded", "pm_card_visa",
            "card", null, null, null, "authorized", "Payment complete.", NOW);

    private AggregateTestFixture<PaymentIntent> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(PaymentIntent.class);
        fixture.registerInjectableResource(Clock.fixed(NOW, ZoneOffset.UTC));
        fixture.registerInjectableResource(new PaymentIntentTest.CountingIdentifiers());
        fixture.registerInjectableResource(new TestModeProcessor());
        fixture.registerInjectableResource(PaymentTimings.STRIPE_LIKE);
    }

    private static PaymentIntentCreated created(CaptureMethod captureMethod) {
        return new PaymentIntentCreated(ID, ACCOUNT, 1000, "usd", null, null, Map.of(), List.of("card"),
                captureMethod, ConfirmationMethod.AUTOMATIC, "pm_card_visa", null, REQUIRES_CONFIRMATION, NOW);
    }

    private static Object by(Object event, String request) {
        return GenericEventMessage.asEventMessage(event).andMetaData(Map.of(AuditMetadata.IDEMPOTENT_REQUEST, request));
    }

    private static Map<String, Object> as(String request) {
        return Map.of(AuditMetadata.IDEMPOTENT_REQUEST, request);
    }

    @Test
    void aRetriedConfirmWhoseEventsWereStoredAnswersTheCurrentStateAndChargesNoSecondTime() {
        fixture.given(created(CaptureMethod.AUTOMATIC),
                        by(new PaymentIntentSucceeded(ID, "pm_card_visa", 1000, HOLD.captured(1000), SUCCEEDED, NOW),
                                "request-1"))
               .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null), as("request-1"))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents()
               .expectResultMessagePayload(CommandOutcome.accepted(ID, 1));
    }

    @Test
    void aRetriedCaptureCapturesNoSecondTime() {
        fixture.given(created(CaptureMethod.MANUAL),
                        new PaymentIntentAmountCapturableUpdated(ID, "pm_card_visa", 1000, HOLD, REQUIRES_CAPTURE, NOW),
                        by(new PaymentIntentCaptured(ID, 600, 400, "usd", HOLD.captured(600), SUCCEEDED, NOW), "capture-1"))
               .when(new CapturePaymentIntent(ID, ACCOUNT, 600L), as("capture-1"))
               .expectNoEvents()
               .expectResultMessagePayload(CommandOutcome.accepted(ID, 2));
    }

    @Test
    void anotherRequestOnTheSameIntentIsJudgedOnItsOwn() {
        fixture.given(created(CaptureMethod.AUTOMATIC),
                        by(new PaymentIntentSucceeded(ID, "pm_card_visa", 1000, HOLD.captured(1000), SUCCEEDED, NOW),
                                "request-1"))
               .when(new CancelPaymentIntent(ID, ACCOUNT, null), as("request-2"))
               .expectException(org.axonframework.commandhandling.CommandExecutionException.class)
               .expectNoEvents();
    }

    @Test
    void theRequestIsRecordedWithTheEventsItCaused() {
        fixture.given(created(CaptureMethod.AUTOMATIC))
               .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null), as("request-3"))
               .expectEventsMatching(org.axonframework.test.matchers.Matchers.exactSequenceOf(
                       org.axonframework.test.matchers.Matchers.messageWithPayload(
                               org.hamcrest.Matchers.instanceOf(PaymentIntentSucceeded.class)),
                       org.axonframework.test.matchers.Matchers.andNoMore()));
        // and a retry of it, replayed against those events, acts no more
        fixture.given(created(CaptureMethod.AUTOMATIC),
                        by(new PaymentIntentSucceeded(ID, "pm_card_visa", 1000, HOLD.captured(1000), SUCCEEDED, NOW),
                                "request-3"))
               .when(new ConfirmPaymentIntent(ID, ACCOUNT, null, null), as("request-3"))
               .expectNoEvents();
    }
}
