package io.paymentintents.api.command;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.Map;

/**
 * Changes the fields given; a null field is left as it is. An empty {@code description} or {@code customer} unsets it.
 * {@code metadata} is merged key by key (an empty value removes a key); {@code clearMetadata} removes every key first.
 */
public record UpdatePaymentIntent(@TargetAggregateIdentifier String paymentIntentId, String accountId, Long amount,
                                  String currency, String customer, String description, Map<String, String> metadata,
                                  boolean clearMetadata, String paymentMethod,
                                  java.util.List<String> paymentMethodTypes) {

    public boolean changesOnlyDescriptiveFields() {
        return amount == null && currency == null && customer == null && paymentMethod == null
                && paymentMethodTypes == null;
    }
}
