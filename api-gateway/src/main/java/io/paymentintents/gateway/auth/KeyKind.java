package io.paymentintents.gateway.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The two kinds of test-mode API key, as Stripe has them: secret keys may do everything, publishable keys little. */
public enum KeyKind {
    SECRET("secret", "sk_test_"),
    PUBLISHABLE("publishable", "pk_test_");

    private final String wireName;
    private final String prefix;

    KeyKind(String wireName, String prefix) {
        this.wireName = wireName;
        this.prefix = prefix;
    }

    /** As stored in {@code api_keys.kind} and typed on the operator command line. */
    public String wireName() {
        return wireName;
    }

    public String prefix() {
        return prefix;
    }

    public static Optional<KeyKind> fromWireName(String name) {
        String wanted = name == null ? "" : name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(kind -> kind.wireName.equals(wanted)).findFirst();
    }
}
