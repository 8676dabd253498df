package io.paymentintents.gateway.params;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.gateway.web.ApiException;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a JSON body, or a form body / query string in Stripe's bracket notation ({@code metadata[k]=v},
 * {@code a[]=x}, {@code a[0]=x}, {@code a[b][c]=v}), into one tree of parameters.
 */
public final class RequestParser {

    /** Deeper than anything in the PaymentIntents API, shallow enough that no input can exhaust the stack. */
    static final int MAX_DEPTH = 5;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 2).build())
            .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private RequestParser() {
    }

    public static Map<String, Object> parseJson(byte[] body) {
        if (isBlank(body)) {
            return new LinkedHashMap<>();
        }
        JsonNode root;
        try {
            decodeUtf8(body);
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.INVALID_JSON, null,
                    "Invalid JSON received: " + e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.INVALID_JSON, null,
                    "Invalid JSON received."));
        }
        if (root == null || root.isMissingNode()) {
            return new LinkedHashMap<>();
        }
        if (!root.isObject()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.INVALID_REQUEST_BODY, null,
                    "The request body must be a JSON object of parameters."));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = (Map<String, Object>) toJava(root);
        requireStorableText(tree, null);
        return tree;
    }

    private static Object toJava(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                map.put(field.getKey(), toJava(field.getValue()));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(item -> list.add(toJava(item)));
            return list;
        }
        if (node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        return node.asText();
    }

    /** Form bodies and query strings: {@code application/x-www-form-urlencoded}, percent-encoded UTF-8. */
    public static Map<String, Object> parseForm(String encoded) {
        return encoded == null ? new LinkedHashMap<>() : parseForm(encoded.getBytes(StandardCharsets.UTF_8));
    }

    public static Map<String, Object> parseForm(byte[] body) {
        Map<String, Object> root = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '&') {
                if (i > start) {
                    int eq = indexOf(body, (byte) '=', start, i);
                    String key = percentDecode(body, start, eq < 0 ? i : eq);
                    String value = eq < 0 ? "" : percentDecode(body, eq + 1, i);
                    insert(root, key, value);
                }
                start = i + 1;
            }
        }
        // The top level is always parameters by name: position-only keys there are unknown parameters, not a list.
        Map<String, Object> parameters = new LinkedHashMap<>();
        root.forEach((name, value) -> parameters.put(name, listify(value)));
        requireStorableText(parameters, null);
        return parameters;
    }

    /**
     * Text PostgreSQL cannot store (NUL) or that is not Unicode (an unpaired surrogate) is refused up front, with the
     * parameter it is in: accepting it would fail only after the events were written, a partial write.
     */
    private static void requireStorableText(Object value, String path) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> {
                String name = path == null ? key.toString() : path + "[" + key + "]";
                checkText(key.toString(), path == null ? name : path);
                requireStorableText(item, name);
            });
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                requireStorableText(list.get(i), path + "[" + i + "]");
            }
        } else if (value instanceof String text) {
            checkText(text, path);
        }
    }

    private static void checkText(String text, String param) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unpaired = Character.isHighSurrogate(c)
                    ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(++i))
                    : Character.isLowSurrogate(c);
            if (c == 0 || unpaired) {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, param,
                        c == 0 ? "Invalid string: parameters may not contain the NUL character."
                                : "Invalid string: parameters must be valid Unicode text."));
            }
        }
    }

    private static int indexOf(byte[] bytes, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static void insert(Map<String, Object> root, String key, String value) {
        List<String> path = splitKey(key);
        Map<String, Object> node = root;
        for (int i = 0; i < path.size() - 1; i++) {
            String segment = path.get(i);
            Object child = node.get(segment);
            if (child == null) {
                child = new LinkedHashMap<String, Object>();
                node.put(segment, child);
            } else if (!(child instanceof Map)) {
                throw conflicting(key);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> next = (Map<String, Object>) child;
            node = next;
        }
        String last = path.get(path.size() - 1);
        if (last.isEmpty()) {
            last = APPEND + node.size(); // a[] appends in the order sent
        }
        if (node.containsKey(last)) {
            throw conflicting(key);
        }
        node.put(last, value);
    }

    private static final String APPEND = "\u0000";

    private static List<String> splitKey(String key) {
        int bracket = key.indexOf('[');
        List<String> path = new ArrayList<>();
        if (bracket < 0) {
            path.add(key);
            return path;
        }
        path.add(key.substring(0, bracket));
        int i = bracket;
        while (i < key.length()) {
            if (key.charAt(i) != '[') {
                throw malformedKey(key);
            }
            int close = key.indexOf(']', i);
            if (close < 0) {
                throw malformedKey(key);
            }
            path.add(key.substring(i + 1, close));
            i = close + 1;
        }
        if (path.get(0).isEmpty()) {
            throw malformedKey(key);
        }
        if (path.size() > MAX_DEPTH) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, path.get(0),
                    "Invalid parameter: " + path.get(0) + " is nested too deeply"));
        }
        return path;
    }

    /** Containers whose keys are all positions ({@code a[]}, {@code a[0]}) become lists, in position order. */
    @SuppressWarnings("unchecked")
    private static <T> T listify(Object node) {
        if (!(node instanceof Map<?, ?> map)) {
            return (T) node;
        }
        Map<String, Object> converted = new LinkedHashMap<>();
        boolean allPositions = !map.isEmpty();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = (String) entry.getKey();
            allPositions &= key.startsWith(APPEND) || key.matches("[0-9]{1,4}");
            converted.put(key, listify(entry.getValue()));
        }
        if (!allPositions) {
            return (T) converted;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>(converted.entrySet());
        entries.sort((a, b) -> Integer.compare(position(a.getKey()), position(b.getKey())));
        List<Object> list = new ArrayList<>(entries.size());
        entries.forEach(e -> list.add(e.getValue()));
        return (T) list;
    }

    private static int position(String key) {
        return key.startsWith(APPEND) ? 100_000 + Integer.parseInt(key.substring(1)) : Integer.parseInt(key);
    }

    private static String percentDecode(byte[] bytes, int from, int to) {
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == '+') {
                out[n++] = ' ';
            } else if (b == '%') {
                int high = i + 2 < to ? Character.digit(bytes[i + 1], 16) : -1;
                int low = i + 2 < to ? Character.digit(bytes[i + 2], 16) : -1;
                if (high < 0 || low < 0) {
                    throw new ApiException(ApiError.invalidRequest(ErrorCodes.INVALID_REQUEST_BODY, null,
                            "Invalid percent-encoding in request parameters."));
                }
                out[n++] = (byte) ((high << 4) | low);
                i += 2;
            } else {
                out[n++] = b;
            }
        }
        return decodeUtf8(java.util.Arrays.copyOf(out, n));
    }

    /** Strict UTF-8: malformed bytes are an error, never silently replaced. */
    static String decodeUtf8(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.INVALID_REQUEST_BODY, null,
                    "The request is not valid UTF-8."));
        }
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static ApiException malformedKey(String key) {
        return new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, null,
                "Invalid parameter name: " + key));
    }

    private static ApiException conflicting(String key) {
        return new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, key,
                "Invalid parameter: " + key + " was given more than once, or both as a value and as a hash"));
    }
}
