package io.paymentintents.api.error;

import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.messaging.HandlerExecutionException;

import java.util.Optional;

/**
 * Raising and reading {@link ApiError}s as the details of Axon's handler exceptions, the one form in which a
 * rejection crosses a command or query bus intact.
 */
public final class Rejections {

    private Rejections() {
    }

    public static CommandExecutionException reject(ApiError error) {
        return new CommandExecutionException(error.message(), null, error);
    }

    /**
     * A write that lost to a concurrent write on the same intent (Axon's {@code ConcurrencyException}), as it crosses
     * Axon Server: that exception's type does not survive the wire, so a command side in its own process sends it on
     * as a rejection with {@link ApiError#lockTimeout()}, the answer once the gateway's retries are used up.
     */
    public static CommandExecutionException concurrentModification(Throwable cause) {
        ApiError error = ApiError.lockTimeout();
        return new CommandExecutionException(error.message(), cause, error);
    }

    /** Whether a failure is {@link #concurrentModification} that came over the wire. */
    public static boolean isConcurrentModification(Throwable failure) {
        return apiErrorOf(failure).filter(error -> ErrorCodes.LOCK_TIMEOUT.equals(error.code())).isPresent();
    }

    public static Optional<ApiError> apiErrorOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HandlerExecutionException hee) {
                Optional<ApiError> details = hee.getDetails().filter(ApiError.class::isInstance).map(ApiError.class::cast);
                if (details.isPresent()) {
                    return details;
                }
            }
        }
        return Optional.empty();
    }
}
