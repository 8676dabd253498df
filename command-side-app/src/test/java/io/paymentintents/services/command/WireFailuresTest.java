package io.paymentintents.services.command;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.error.Rejections;
import io.paymentintents.services.support.WireFormat;
import org.axonframework.axonserver.connector.AxonServerConfiguration;
import org.axonframework.axonserver.connector.command.CommandSerializer;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.GenericCommandResultMessage;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WireFailuresTest {

    /** Both ends of Axon Server's command channel, as the two services configure them. */
    private static final CommandSerializer WIRE = new CommandSerializer(
            JacksonSerializer.builder().objectMapper(WireFormat.objectMapper()).build(),
            new AxonServerConfiguration());

    @Test
    void aRejectionOfTheAggregateArrivesWithItsApiError() {
        ApiError error = ApiError.unexpectedState("You cannot capture this PaymentIntent", "pi_1", 3);

        Throwable arrived = overTheWire(Rejections.reject(error));

        assertThat(arrived).isInstanceOf(CommandExecutionException.class);
        assertThat(Rejections.apiErrorOf(arrived)).contains(error);
    }

    @Test
    void aConcurrentWriteArrivesAsAConcurrentModification() {
        Throwable arrived = overTheWire(new ConcurrencyException("sequence 3 was taken"));

        assertThat(Rejections.isConcurrentModification(arrived)).isTrue();
        assertThat(Rejections.apiErrorOf(arrived)).contains(ApiError.lockTimeout());
    }

    @Test
    void axonServersRefusalOfATakenSequenceNumberIsAConcurrentModification() {
        // what Axon 4.13 rethrows from the commit of an append that lost
        Metadata trailers = new Metadata();
        trailers.put(Metadata.Key.of("AxonIQ-ErrorCode", Metadata.ASCII_STRING_MARSHALLER), "AXONIQ-2000");
        StatusRuntimeException refusal = Status.OUT_OF_RANGE
                .withDescription("[AXONIQ-2000] Invalid sequence number 0 for aggregate pi_1, expected 2")
                .asRuntimeException(trailers);

        assertThat(Rejections.isConcurrentModification(overTheWire(refusal))).isTrue();
    }

    @Test
    void aCreateOnAStreamThatExistsIsAConcurrentModification() {
        assertThat(Rejections.isConcurrentModification(
                overTheWire(new AggregateStreamCreationException("pi_1 exists")))).isTrue();
    }

    @Test
    void aCommandOnAnUnknownIntentArrivesAsResourceMissing() {
        Throwable arrived = overTheWire(new AggregateNotFoundException("pi_nope", "not found"));

        assertThat(Rejections.apiErrorOf(arrived)).hasValueSatisfying(error -> {
            assertThat(error.status()).isEqualTo(404);
            assertThat(error.code()).isEqualTo(ErrorCodes.RESOURCE_MISSING);
            assertThat(error.message()).isEqualTo("No such payment_intent: 'pi_nope'");
        });
    }

    @Test
    void anythingElseArrivesWithoutDetails() {
        Throwable arrived = overTheWire(new IllegalStateException("broken"));

        assertThat(arrived).isInstanceOf(CommandExecutionException.class).hasMessage("broken");
        assertThat(Rejections.apiErrorOf(arrived)).isEmpty();
    }

    @Test
    void aResultGoesOnUnchanged() {
        CommandResultMessage<String> result = GenericCommandResultMessage.asCommandResultMessage("done");

        assertThat(WireFailures.forTheWire(result)).isSameAs(result);
    }

    private static Throwable overTheWire(Throwable failure) {
        CommandResultMessage<Object> handled = WireFailures.forTheWire(
                GenericCommandResultMessage.asCommandResultMessage(failure));
        return WIRE.deserialize(WIRE.serialize(handled, "request-1")).exceptionResult();
    }
}
