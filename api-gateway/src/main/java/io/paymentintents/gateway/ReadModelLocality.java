package io.paymentintents.gateway;

/**
 * Whether this JVM's projection is the one that projects an intent's events now. When it is, the update reaches a
 * waiting POST by the subscription, and reading the read model would only add queries; when another node projects
 * the intent (several nodes on one database), the subscription hears nothing and the POST reads the read model.
 */
@FunctionalInterface
public interface ReadModelLocality {

    /** When nothing is known: another node may project every intent. */
    ReadModelLocality UNKNOWN = paymentIntentId -> false;

    boolean projectedHere(String paymentIntentId);
}
