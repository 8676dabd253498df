package io.paymentintents.api.query;

/**
 * The intent whose client secret is {@code clientSecret}, whatever its account: what the hosted authentication page
 * (which a customer's browser opens without an API key) may see. Empty unless the secret is genuine.
 */
public record FindPaymentIntentByClientSecret(String clientSecret) {
}
