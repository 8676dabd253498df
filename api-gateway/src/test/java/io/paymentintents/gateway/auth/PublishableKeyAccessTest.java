package io.paymentintents.gateway.auth;

import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;
import io.paymentintents.gateway.web.StripeObjects;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublishableKeyAccessTest {

    private static final String ID = "pi_123456789012345678901234";
    private static final String SECRET = ID + "_secret_abcdefghijklmnopqrstuvwxy";

    private static PaymentIntentView intent() {
        Instant now = Instant.parse("2026-03-09T10:00:00Z");
        return new PaymentIntentView(ID, "acct_default", 0, PaymentIntentStatus.REQUIRES_PAYMENT_METHOD, 2000, "usd",
                0, 0, "cus_private", "Order 42", null, List.of("card"), CaptureMethod.AUTOMATIC,
                ConfirmationMethod.AUTOMATIC, SECRET, null, Map.of("note", "VIP"), List.of(), null, null, null, now,
                now);
    }

    @Test
    void aPublishableKeySeesStripesReducedFieldsOnly() {
        Map<String, Object> full = StripeObjects.paymentIntent(intent());

        Map<String, Object> reduced = PublishableKeyAccess.reduced(full);

        assertThat(reduced.keySet()).containsExactly("id", "object", "amount", "canceled_at", "cancellation_reason",
                "capture_method", "client_secret", "confirmation_method", "created", "currency", "description",
                "last_payment_error", "livemode", "next_action", "payment_method", "payment_method_types", "status");
        assertThat(reduced.toString()).doesNotContain("cus_private", "VIP");
        assertThat(PublishableKeyAccess.as(new Caller("acct_default", "key_x", true), full)).isSameAs(full);
    }

    @Test
    void onlyTheIntentsOwnClientSecretPasses() {
        PublishableKeyAccess.checkClientSecret(SECRET, intent());

        for (String wrong : List.of(SECRET + "z", SECRET.substring(1), "", ID)) {
            assertThatThrownBy(() -> PublishableKeyAccess.checkClientSecret(wrong, intent()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.error().status()).isEqualTo(400);
                        assertThat(e.error().code()).isEqualTo("payment_intent_invalid_parameter");
                        assertThat(e.error().param()).isEqualTo("client_secret");
                    });
        }
        assertThatThrownBy(() -> PublishableKeyAccess.requiredClientSecret(new Params(Map.of())))
                .isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.error().code()).isEqualTo("parameter_missing"));
    }

    @Test
    void theKeyParameterIsReadFromTheQueryStringOrTheBufferedBody() throws Exception {
        MockHttpServletRequest get = new MockHttpServletRequest("GET", "/v1/payment_intents/" + ID);
        get.setQueryString("client_secret=" + SECRET + "&key=pk_test_abc");
        MockHttpServletRequest post = new MockHttpServletRequest("POST", "/v1/payment_intents/" + ID + "/confirm");
        post.setContentType("application/x-www-form-urlencoded");
        post.setContent(("payment_method=pm_card_visa&key=pk_test_def&client_secret=" + SECRET).getBytes());
        KeyParameterBodyFilter.BufferedBodyRequest buffered = new KeyParameterBodyFilter.BufferedBodyRequest(post,
                1000);

        assertThat(AuthenticationInterceptor.keyParameter(get)).isEqualTo("pk_test_abc");
        assertThat(AuthenticationInterceptor.keyParameter(buffered)).isEqualTo("pk_test_def");
        assertThat(new String(buffered.getInputStream().readAllBytes())).startsWith("payment_method=pm_card_visa&");
        assertThat(AuthenticationInterceptor.keyParameter(post)).as("an unbuffered body is not read").isNull();
    }
}
