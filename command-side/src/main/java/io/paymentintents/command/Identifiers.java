package io.paymentintents.command;

/**
 * Where the aggregate gets the identifiers and secrets it mints. Injected, so that fixtures can expect exact events.
 */
public interface Identifiers {

    /** {@code {intentId}_secret_{random}}: the capability a publishable-key client confirms with. */
    String clientSecret(String paymentIntentId);

    String chargeId();
}
