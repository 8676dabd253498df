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
