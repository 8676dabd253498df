package io.paymentintents.api.query;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a page of search results ends: the ({@code created}, {@code id}) of its last intent. Clients see it only as
 * an opaque string (base64url of {@code created:id}); the next page starts strictly after that position, so intents
 * sharing one second are neither skipped nor repeated.
 */
public record SearchCursor(long created, String id) {

    private static final Pattern DECODED = Pattern.compile("(0|[1-9][0-9]{0,18}):([A-Za-z0-9_]{1,255})");
    private static final int MAX_ENCODED = 400;

    public SearchCursor {
        if (id == null || !DECODED.matcher(created + ":" + id).matches()) {
            throw new IllegalArgumentException("not a search position: " + created + ":" + id);
        }
    }

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((created + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a string encodes, or empty when it is not one this service handed out. */
    public static Optional<SearchCursor> decode(String encoded) {
        if (encoded == null || encoded.isEmpty() || encoded.length() > MAX_ENCODED) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Matcher matcher = DECODED.matcher(decoded);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SearchCursor(Long.parseLong(matcher.group(1)), matcher.group(2)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
