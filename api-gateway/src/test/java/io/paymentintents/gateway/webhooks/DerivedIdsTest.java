package io.paymentintents.gateway.webhooks;

import io.paymentintents.gateway.PaymentIntentIds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A keyed create's id is derived from its request, so that a retry, even in a later version, lands on the same
 * intent or endpoint; a delivery's id is derived from its endpoint and event. The expected values were produced by
 * the code that first issued such ids.
 */
class DerivedIdsTest {

    @Test
    void aKeyedIntentsIdIsTheSameInEveryVersion() {
        assertThat(new PaymentIntentIds().forCreate("acct_default", "fingerprint-1"))
                .isEqualTo("pi_JFljTcjQtoqhyzedqFfJL7dT");
    }

    @Test
    void aKeyedEndpointsIdAndADeliverysIdAreTheSameInEveryVersion() {
        assertThat(WebhookIds.endpoint("acct_default", "fingerprint-1")).isEqualTo("we_ZLzRecAhujJupMRJy1tQhlz3");
        assertThat(WebhookIds.delivery("we_x", "evt_y")).isEqualTo("whdel_OQVgyy7abhoXJOQW7Te4zkqP");
    }

    @Test
    void anUnkeyedCreateGetsARandomIdOfTheSameForm() {
        assertThat(new PaymentIntentIds().forCreate("acct_default", null)).matches("pi_[0-9A-Za-z]{24}");
        assertThat(WebhookIds.endpoint("acct_default", null)).matches("we_[0-9A-Za-z]{24}");
    }
}
