package io.paymentintents.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API keys this gateway accepts. Only SHA-256 digests of keys are kept, so a heap dump shows no key, and a
 * presented key is matched by its digest.
 */
public class ApiKeyRegistry {

    private final Map<String, Caller> callersByDigest = new ConcurrentHashMap<>();

    public void register(String accountId, String apiKey) {
        String digest = digest(apiKey);
        callersByDigest.put(digest, new Caller(accountId, "key_" + digest.substring(0, 16),
                apiKey.startsWith("sk_")));
    }

    public Optional<Caller> authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty() || presentedKey.length() > 255) {
            return Optional.empty();
        }
        return Optional.ofNullable(callersByDigest.get(digest(presentedKey)));
    }

    static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
