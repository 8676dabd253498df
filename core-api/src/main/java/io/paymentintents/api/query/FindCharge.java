package io.paymentintents.api.query;

/**
 * The intent of one account that holds the charge {@code chargeId} ({@code GET /v1/charges/{id}}); answered with an
 * empty result when the account has no such charge.
 */
public record FindCharge(String accountId, String chargeId) {
}
