package io.paymentintents.command;

/**
 * The timers of a PaymentIntent, scheduled through Axon's deadline manager (persisted in PostgreSQL, so a restart
 * loses none). Each payload names the charge it is about: a deadline that fires after its charge has been decided
 * (settled early by a test helper, captured, canceled, replaced by a new attempt) finds no match and does nothing.
 * That also makes a deadline that fires twice (a crash after its events were stored but before the scheduler
 * recorded completion) harmless.
 */
public final class Deadlines {

    public static final String SETTLEMENT = "settlement";
    public static final String OUTCOME_QUERY = "outcome-query";
    public static final String CAPTURE_EXPIRY = "capture-expiry";

    /** Ask the processor for the settlement of a pending bank debit. */
    public record SettlementDue(String chargeId) {
    }

    /** Ask the processor again what became of an attempt whose answer was lost; {@code attempt} counts from 0. */
    public record OutcomeQueryDue(String chargeId, int attempt) {
    }

    /** Release an authorization nobody captured and cancel the intent. */
    public record CaptureExpired(String chargeId) {
    }

    private Deadlines() {
    }
}
