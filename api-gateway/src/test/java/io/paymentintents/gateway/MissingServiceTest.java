package io.paymentintents.gateway;

import io.paymentintents.api.command.CancelPaymentIntent;
import io.paymentintents.gateway.web.ApiException;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.queryhandling.DefaultQueryGateway;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** With the sides in processes of their own, one of them may not be running. */
class MissingServiceTest {

    private final PaymentIntentService service = new PaymentIntentService(
            DefaultCommandGateway.builder().commandBus(SimpleCommandBus.builder().build()).build(),
            DefaultQueryGateway.builder().queryBus(SimpleQueryBus.builder().build()).build(),
            Duration.ofSeconds(1), 3);

    @Test
    void aCommandNoCommandSideHandlesIsAnswered503AndChangesNothing() {
        assertThatThrownBy(() -> service.execute("acct_1", "pi_1", new CancelPaymentIntent("pi_1", "acct_1", null),
                Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.error().status()).isEqualTo(503);
                    assertThat(e.error().type()).isEqualTo("api_error");
                    assertThat(e.error().message()).contains("Nothing was changed");
                });
    }
}
