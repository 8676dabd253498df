package io.paymentintents.gateway.auth;

/**
 * A key just issued: the only moment its text exists outside the caller's hands. {@link #toString()} leaves the
 * key out, so that logging or printing the object by mistake shows nothing usable.
 */
public record IssuedKey(ApiKeyInfo info, String key) {

    @Override
    public String toString() {
        return "IssuedKey[" + info.id() + ", " + info.kind().wireName() + ", " + info.masked() + "]";
    }
}
