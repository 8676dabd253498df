package io.paymentintents.query;

import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;

/** Reading a processor's position straight from a {@code token_entry} row (rebuild, processors list, gauges). */
public final class StoredTokens {

    private StoredTokens() {
    }

    /** The global index of the last event the token's segment handled; -1 for none (no token, or one at the tail). */
    public static long position(Serializer tokenSerializer, byte[] token, String tokenType) {
        if (token == null) {
            return -1;
        }
        TrackingToken decoded = tokenSerializer.deserialize(new SimpleSerializedObject<>(token, byte[].class,
                tokenType, null));
        return decoded == null ? -1 : decoded.position().orElse(-1);
    }
}
