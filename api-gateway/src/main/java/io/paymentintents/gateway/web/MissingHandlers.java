package io.paymentintents.gateway.web;

import org.axonframework.axonserver.connector.AxonServerException;
import org.axonframework.axonserver.connector.ErrorCode;
import org.axonframework.commandhandling.NoHandlerForCommandException;
import org.axonframework.queryhandling.NoHandlerForQueryException;

/**
 * Whether a failure says that no service handling the message is connected to Axon Server (the command side or the
 * query side is not running). Never true on the local buses of the standalone application.
 */
public final class MissingHandlers {

    private MissingHandlers() {
    }

    public static boolean forCommand(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NoHandlerForCommandException || isAxonServerError(t, ErrorCode.NO_HANDLER_FOR_COMMAND)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A plain query answers {@code NoHandlerForQueryException}; Axon 4.13 fails a subscription query's initial result
     * with a generic {@code AxonServerException} ("CANCELLED: AXONIQ-5000") instead, whose only trace of the cause is
     * Axon Server's error code in the message.
     */
    public static boolean forQuery(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NoHandlerForQueryException || isAxonServerError(t, ErrorCode.NO_HANDLER_FOR_QUERY)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAxonServerError(Throwable t, ErrorCode code) {
        return t instanceof AxonServerException axonServer && (code.errorCode().equals(axonServer.code())
                || String.valueOf(axonServer.getMessage()).contains(code.errorCode()));
    }
}
