package io.paymentintents.gateway.web;

import org.axonframework.axonserver.connector.AxonServerException;
import org.axonframework.commandhandling.NoHandlerForCommandException;
import org.axonframework.queryhandling.NoHandlerForQueryException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class MissingHandlersTest {

    @Test
    void aQueryWithoutAQuerySideIsRecognisedWhereverItIsWrapped() {
        assertThat(MissingHandlers.forQuery(new CompletionException(new NoHandlerForQueryException("none")))).isTrue();
    }

    @Test
    void aSubscriptionQueryWithoutAQuerySideIsRecognisedByAxonServersErrorCode() {
        // what Axon 4.13 raises for the initial result when no query handler is connected
        assertThat(MissingHandlers.forQuery(new AxonServerException("AXONIQ-0001", "CANCELLED: AXONIQ-5000"))).isTrue();
    }

    @Test
    void aCommandWithoutACommandSideIsRecognised() {
        assertThat(MissingHandlers.forCommand(new NoHandlerForCommandException("none"))).isTrue();
        assertThat(MissingHandlers.forQuery(new NoHandlerForCommandException("none"))).isFalse();
    }

    @Test
    void otherFailuresAreNot() {
        assertThat(MissingHandlers.forQuery(new AxonServerException("AXONIQ-0001", "UNAVAILABLE: io exception")))
                .isFalse();
        assertThat(MissingHandlers.forCommand(new IllegalStateException("AXONIQ-4000 in a message"))).isFalse();
    }
}
