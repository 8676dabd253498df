package io.paymentintents.command.upcasting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paymentintents.api.event.PaymentIntentCaptured;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/**
 * Reads a stored {@link PaymentIntentCaptured} of revision 1 as revision 2, as if it had been written today.
 *
 * <pre>
 * revision 1: {"paymentIntentId", "amountReceived", "charge": {..., "amountRefunded", "currency", ...}, "status", "occurredAt"}
 * revision 2: {"paymentIntentId", "amountCaptured", "amountReleased", "currency", "charge", "status", "occurredAt"}
 * </pre>
 *
 * Nothing is guessed: every revision-1 event was written with the captured charge ({@code Charge.captured}), in which
 * {@code amountRefunded} is the released rest of the hold and {@code currency} the currency of both amounts, and
 * {@code amountReceived} was the amount of that one capture. The stored row is never changed; only what is read.
 */
public class PaymentIntentCapturedUpcaster extends SingleEventUpcaster {

    private static final SimpleSerializedType REVISION_1 =
            new SimpleSerializedType(PaymentIntentCaptured.class.getName(), "1");
    private static final SimpleSerializedType REVISION_2 =
            new SimpleSerializedType(PaymentIntentCaptured.class.getName(), "2");

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation representation) {
        return representation.getType().equals(REVISION_1);
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation representation) {
        return representation.upcastPayload(REVISION_2, JsonNode.class, PaymentIntentCapturedUpcaster::toRevision2);
    }

    static JsonNode toRevision2(JsonNode revision1) {
        JsonNode charge = revision1.path("charge");
        if (!charge.isObject() || !charge.path("amountRefunded").isIntegralNumber()
                || !charge.path("currency").isTextual() || !revision1.path("amountReceived").isIntegralNumber()) {
            // cannot happen for what the aggregate wrote; refuse rather than invent amounts
            throw new IllegalStateException("PaymentIntentCaptured revision 1 without amountReceived or its charge: "
                    + revision1);
        }
        ObjectNode revision2 = JsonNodeFactory.instance.objectNode();
        revision2.set("paymentIntentId", revision1.get("paymentIntentId"));
        revision2.set("amountCaptured", revision1.get("amountReceived"));
        revision2.set("amountReleased", charge.get("amountRefunded"));
        revision2.set("currency", charge.get("currency"));
        revision2.set("charge", charge);
        revision2.set("status", revision1.get("status"));
        revision2.set("occurredAt", revision1.get("occurredAt"));
        return revision2;
    }
}
