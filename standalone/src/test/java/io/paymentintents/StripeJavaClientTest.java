package io.paymentintents;

import com.stripe.StripeClient;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.PaymentIntent;
import com.stripe.param.PaymentIntentCancelParams;
import com.stripe.param.PaymentIntentCaptureParams;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentIntentListParams;
import com.stripe.param.PaymentIntentUpdateParams;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The official Stripe Java SDK, unmodified but for its base URL and key: form-encoded bodies with brackets, its own
 * Idempotency-Keys on every POST, its typed exceptions mapped from our statuses.
 */
class StripeJavaClientTest extends ServiceTest {

    private StripeClient stripe;

    @BeforeEach
    void pointTheSdkAtTheService() {
        stripe = StripeClient.builder().setApiKey(SECRET_KEY).setApiBase(baseUrl()).setMaxNetworkRetries(0).build();
    }

    @Test
    void createConfirmRetrieveAndUpdateMetadata() throws Exception {
        PaymentIntent created = stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                .setAmount(4200L)
                .setCurrency("eur")
                .putMetadata("order_id", "ord_42")
                .addPaymentMethodType("card")
                .addPaymentMethodType("direct_debit")
                .setDescription("SDK order")
                .build());

        assertThat(created.getId()).startsWith("pi_");
        assertThat(created.getStatus()).isEqualTo("requires_payment_method");
        assertThat(created.getMetadata()).containsEntry("order_id", "ord_42");
        assertThat(created.getPaymentMethodTypes()).containsExactly("card", "direct_debit");

        PaymentIntent confirmed = stripe.v1().paymentIntents().confirm(created.getId(),
                PaymentIntentConfirmParams.builder().setPaymentMethod("pm_card_visa").build());
        assertThat(confirmed.getStatus()).isEqualTo("succeeded");
        assertThat(confirmed.getAmountReceived()).isEqualTo(4200L);
        assertThat(confirmed.getLatestCharge()).startsWith("ch_");

        PaymentIntent updated = stripe.v1().paymentIntents().update(created.getId(), PaymentIntentUpdateParams
                .builder().putMetadata("order_id", "").putMetadata("shipped", "yes").build());
        assertThat(updated.getMetadata()).containsExactlyEntriesOf(java.util.Map.of("shipped", "yes"));

        PaymentIntent retrieved = stripe.v1().paymentIntents().retrieve(created.getId());
        assertThat(retrieved.getStatus()).isEqualTo("succeeded");
        assertThat(retrieved.getMetadata()).containsExactlyEntriesOf(java.util.Map.of("shipped", "yes"));
        assertThat(retrieved.getDescription()).isEqualTo("SDK order");
    }

    @Test
    void listAutoPaginatesOverEveryPageOnce() throws Exception {
        String customer = "cus_sdk_" + System.nanoTime();
        List<String> createdIds = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            createdIds.add(stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                    .setAmount(1000L + i).setCurrency("usd").setCustomer(customer).build()).getId());
        }

        List<PaymentIntent> listed = new ArrayList<>();
        for (PaymentIntent intent : stripe.v1().paymentIntents()
                .list(PaymentIntentListParams.builder().setCustomer(customer).setLimit(2L).build())
                .autoPagingIterable()) {
            listed.add(intent);
        }
        List<String> seen = listed.stream().map(PaymentIntent::getId).toList();

        assertThat(seen).hasSize(7).containsExactlyInAnyOrderElementsOf(createdIds);
        assertThat(new HashSet<>(seen)).hasSize(7);
        // newest first by (created, id): intents of one second are ordered by id, descending
        assertThat(listed).isSortedAccordingTo(java.util.Comparator.comparing(PaymentIntent::getCreated)
                .thenComparing(PaymentIntent::getId).reversed());
    }

    @Test
    void cancelWithAReason() throws Exception {
        PaymentIntent created = stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                .setAmount(1500L).setCurrency("usd").build());

        PaymentIntent canceled = stripe.v1().paymentIntents().cancel(created.getId(), PaymentIntentCancelParams
                .builder().setCancellationReason(PaymentIntentCancelParams.CancellationReason.ABANDONED).build());

        assertThat(canceled.getStatus()).isEqualTo("canceled");
        assertThat(canceled.getCancellationReason()).isEqualTo("abandoned");
        assertThat(canceled.getCanceledAt()).isPositive();
    }

    @Test
    void manualCaptureInPart() throws Exception {
        PaymentIntent authorized = stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                .setAmount(5000L).setCurrency("usd").setPaymentMethod("pm_card_mastercard")
                .setCaptureMethod(PaymentIntentCreateParams.CaptureMethod.MANUAL).setConfirm(true).build());
        assertThat(authorized.getStatus()).isEqualTo("requires_capture");
        assertThat(authorized.getAmountCapturable()).isEqualTo(5000L);

        PaymentIntent captured = stripe.v1().paymentIntents().capture(authorized.getId(),
                PaymentIntentCaptureParams.builder().setAmountToCapture(3000L).build());

        assertThat(captured.getStatus()).isEqualTo("succeeded");
        assertThat(captured.getAmountReceived()).isEqualTo(3000L);
        assertThat(captured.getAmountCapturable()).isZero();
    }

    @Test
    void aDeclineIsACardException() throws Exception {
        PaymentIntent created = stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                .setAmount(2500L).setCurrency("usd").build());

        assertThatThrownBy(() -> stripe.v1().paymentIntents().confirm(created.getId(),
                PaymentIntentConfirmParams.builder().setPaymentMethod("pm_card_chargeDeclined").build()))
                .isInstanceOfSatisfying(CardException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(402);
                    assertThat(e.getCode()).isEqualTo("card_declined");
                    assertThat(e.getDeclineCode()).isEqualTo("generic_decline");
                    assertThat(e.getStripeError().getPaymentIntent().getStatus())
                            .isEqualTo("requires_payment_method");
                    assertThat(e.getRequestId()).startsWith("req_");
                });
    }

    @Test
    void anIllegalTransitionAndAnUnknownIdAreInvalidRequestExceptions() throws Exception {
        PaymentIntent created = stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                .setAmount(2500L).setCurrency("usd").build());

        assertThatThrownBy(() -> stripe.v1().paymentIntents().capture(created.getId()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getCode()).isEqualTo("payment_intent_unexpected_state");
                });
        assertThatThrownBy(() -> stripe.v1().paymentIntents().retrieve("pi_unknown000000000000000000"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                    assertThat(e.getParam()).isEqualTo("intent");
                });
    }

    @Test
    void aBadKeyIsAnAuthenticationException() {
        StripeClient wrong = StripeClient.builder().setApiKey("sk_test_notourkey0000").setApiBase(baseUrl())
                .setMaxNetworkRetries(0).build();

        assertThatThrownBy(() -> wrong.v1().paymentIntents().list())
                .isInstanceOfSatisfying(AuthenticationException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(401));
    }
}
