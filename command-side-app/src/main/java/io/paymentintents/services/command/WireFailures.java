package io.paymentintents.services.command;

import io.paymentintents.api.error.ApiError;
import io.grpc.StatusRuntimeException;
import io.paymentintents.api.error.Rejections;
import org.axonframework.axonserver.connector.event.util.GrpcExceptionParser;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.GenericCommandResultMessage;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;

/**
 * Through Axon Server a command's exception arrives as a {@code CommandExecutionException} that keeps only its message
 * and its details: its type is lost. Rejections of the aggregate already carry their {@link ApiError} as details.
 * The framework's own failures that the gateway acts on are given one here, so that they mean on the other side what
 * they mean in one process:
 *
 * <ul>
 *   <li>a write that lost to a concurrent write on the same intent ({@code ConcurrencyException}, or Axon Server's
 *       refusal of an event sequence number that is taken), or a create whose stream exists already
 *       ({@code AggregateStreamCreationException}): {@link Rejections#concurrentModification}, which the gateway
 *       retries, or answers with the existing intent for a create;</li>
 *   <li>a command on an intent that does not exist ({@code AggregateNotFoundException}): 404 {@code resource_missing}.</li>
 * </ul>
 *
 * Anything else goes on as it is and is answered 500.
 */
final class WireFailures {

    private WireFailures() {
    }

    static <R> CommandResultMessage<R> forTheWire(CommandResultMessage<R> result) {
        if (!result.isExceptional()) {
            return result;
        }
        Throwable failure = result.exceptionResult();
        Throwable translated = translate(failure);
        return translated == failure ? result : new GenericCommandResultMessage<>(translated, result.getMetaData());
    }

    static Throwable translate(Throwable failure) {
        if (Rejections.apiErrorOf(failure).isPresent()) {
            return failure;
        }
        AggregateNotFoundException notFound = causedBy(failure, AggregateNotFoundException.class);
        if (notFound != null) {
            ApiError error = ApiError.noSuchPaymentIntent(String.valueOf(notFound.getAggregateIdentifier()));
            return new CommandExecutionException(error.message(), failure, error);
        }
        if (causedBy(failure, ConcurrencyException.class) != null
                || causedBy(failure, AggregateStreamCreationException.class) != null
                || sequenceNumberTaken(failure)) {
            return Rejections.concurrentModification(failure);
        }
        return failure;
    }

    /**
     * Axon Server refuses an append whose sequence number another append took first ({@code AXONIQ-2000}, "Invalid
     * sequence number"). Axon 4.13 rethrows that refusal from the commit as the raw gRPC exception, not as a
     * {@code ConcurrencyException}; the connector's parser reads its error code from the trailers.
     */
    private static boolean sequenceNumberTaken(Throwable failure) {
        StatusRuntimeException refusal = causedBy(failure, StatusRuntimeException.class);
        return refusal != null && GrpcExceptionParser.parse(refusal) instanceof ConcurrencyException;
    }

    private static <T extends Throwable> T causedBy(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
