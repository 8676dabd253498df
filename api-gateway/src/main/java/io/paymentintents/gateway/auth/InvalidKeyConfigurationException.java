package io.paymentintents.gateway.auth;

/** The configured test-mode keys cannot be used; the service refuses to start. */
public class InvalidKeyConfigurationException extends RuntimeException {

    public InvalidKeyConfigurationException(String message) {
        super(message);
    }
}
