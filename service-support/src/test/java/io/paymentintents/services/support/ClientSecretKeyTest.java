package io.paymentintents.services.support;

import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientSecretKeyTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void aServiceWithoutTheSharedKeyDoesNotStart() {
        assertThatThrownBy(() -> ClientSecretKey.required(" ")).hasMessageContaining("PAYMENTS_CLIENT_SECRET_KEY");
        assertThatThrownBy(() -> ClientSecretKey.required("not base64!")).hasMessageContaining("not base64");
    }

    @Test
    void twoServicesWithTheSameKeyDeriveTheSameSecrets() {
        assertThat(ClientSecretKey.required(KEY).of("pi_1")).isEqualTo(ClientSecretKey.required(KEY + "\n").of("pi_1"));
    }
}
