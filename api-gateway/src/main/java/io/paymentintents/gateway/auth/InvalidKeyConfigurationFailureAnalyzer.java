package io.paymentintents.gateway.auth;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a bad key configuration into a short message at startup instead of a stack trace. */
public class InvalidKeyConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidKeyConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidKeyConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Set PAYMENTS_SECRET_KEY to a key starting with sk_test_ and PAYMENTS_PUBLISHABLE_KEY to one starting "
                        + "with pk_test_, or unset both to have keys generated and kept in the data directory.",
                cause);
    }
}
