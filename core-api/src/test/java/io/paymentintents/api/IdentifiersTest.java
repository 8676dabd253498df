package io.paymentintents.api;

import io.paymentintents.api.events.StripeEventTypes;
import io.paymentintents.api.secrets.ClientSecrets;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Derived ids and secrets are stored, replayed and handed to clients, so their text must come out the same in every
 * version: the expected values below were produced by the code that first issued them.
 */
class IdentifiersTest {

    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) i;
        }
    }

    @Test
    void anEventsIdIsTheSameInEveryVersion() {
        assertThat(StripeEventTypes.eventId("6f1c1f1e-2f5b-4c1a-9a4e-3d2b1c0a9f8e"))
                .isEqualTo("evt_OU5lroEXfcGmMZxpwDRijNl7");
    }

    @Test
    void aClientSecretAndAWebhookSecretAreTheSameInEveryVersion() {
        ClientSecrets secrets = new ClientSecrets(KEY);

        assertThat(secrets.of("pi_3yqSu3jJ5tbkGHBbNuImevXX"))
                .isEqualTo("pi_3yqSu3jJ5tbkGHBbNuImevXX_secret_1oGPsAofjNE5CxkORDuVL0aeK");
        assertThat(secrets.webhookSecret("we_1234567890abcdefABCDEFGH"))
                .isEqualTo("whsec_0mLuKvAGZekptU5CLOiEpIvdKnzNYoim");
    }

    @Test
    void base62WritesTheLeastSignificantDigitFirstAndPadsWithZeros() {
        assertThat(Identifiers.base62(new byte[]{0, 63}, 4)).isEqualTo("1100");
        assertThat(Identifiers.base62(new byte[0], 3)).isEqualTo("000");
    }

    @Test
    void randomTextHasTheLengthAskedForInBase62() {
        assertThat(Identifiers.randomBase62(24, new Random(7))).hasSize(24).matches("[0-9A-Za-z]{24}");
    }
}
