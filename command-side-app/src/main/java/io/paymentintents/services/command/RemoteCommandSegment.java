package io.paymentintents.services.command;

import org.axonframework.commandhandling.CommandCallback;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.messaging.MessageHandler;

/** Axon's simple command bus, whose results leave through {@link WireFailures}. */
final class RemoteCommandSegment extends SimpleCommandBus {

    RemoteCommandSegment(Builder builder) {
        super(builder);
    }

    @Override
    protected <C, R> void handle(CommandMessage<C> command, MessageHandler<? super CommandMessage<?>> handler,
                                 CommandCallback<? super C, ? super R> callback) {
        CommandCallback<C, R> translating =
                (message, result) -> callback.onResult(message, WireFailures.forTheWire(result));
        super.handle(command, handler, translating);
    }
}
