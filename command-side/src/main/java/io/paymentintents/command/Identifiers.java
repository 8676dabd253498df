package io.paymentintents.command;

/**
 * Where the aggregate gets the identifiers and secrets it mints. Injected, so that fixtures can expect exact events.
 */
public interface Identifiers {

    String chargeId();
}
