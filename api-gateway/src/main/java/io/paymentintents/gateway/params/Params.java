package io.paymentintents.gateway.params;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.gateway.web.ApiException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parameters of one request, from a JSON body, a form body or a query string: one model for every encoding, so
 * that validation and its errors are identical whichever way a client sends them. Values are Strings (form), or
 * Longs, BigIntegers, BigDecimals, Booleans, Lists and Maps (JSON); a JSON null or a form {@code key=} reads as "".
 */
public final class Params {

    private final Map<String, Object> values;

    public Params(Map<String, Object> values) {
        this.values = values;
    }

    public static Params empty() {
        return new Params(Map.of());
    }

    /** Rejects the first parameter the endpoint does not know, as Stripe does. */
    public Params allowOnly(Set<String> allowed) {
        for (String name : values.keySet()) {
            if (!allowed.contains(name)) {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_UNKNOWN, name,
                        "Received unknown parameter: " + name));
            }
        }
        return this;
    }

    /** The parsed parameters, as the request gave them (read-only use: idempotency hashes them). */
    public Map<String, Object> values() {
        return java.util.Collections.unmodifiableMap(values);
    }

    public java.util.Set<String> names() {
        return values.keySet();
    }

    /** The hash under {@code name} as parameters of their own, or null when the value is not a hash. */
    @SuppressWarnings("unchecked")
    public Params nested(String name) {
        return values.get(name) instanceof Map<?, ?> map ? new Params((Map<String, Object>) map) : null;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public long requiredInteger(String name) {
        return integer(name).orElseThrow(() -> missing(name));
    }

    public String requiredString(String name) {
        return string(name).filter(s -> !s.isEmpty()).orElseThrow(() -> missing(name));
    }

    public Optional<Long> integer(String name) {
        Object value = values.get(name);
        if (value == null || "".equals(value)) {
            return Optional.empty();
        }
        if (value instanceof Long l) {
            return Optional.of(l);
        }
        if (value instanceof String s && s.matches("-?[0-9]{1,18}")) {
            return Optional.of(Long.parseLong(s));
        }
        throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_INTEGER, name,
                "Invalid integer: " + display(value)));
    }

    /** {@code limit} of a list or search: 1 to 100, 10 when not given. */
    public int pageLimit() {
        long limit = integer("limit").orElse(10L);
        if (limit < 1 || limit > 100) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_INTEGER, "limit",
                    "Invalid limit: must be between 1 and 100"));
        }
        return (int) limit;
    }

    /** A list's cursor: {@code starting_after} or {@code ending_before}, at most one of them, as Stripe demands. */
    public PageCursor pageCursor() {
        PageCursor cursor = new PageCursor(nonEmptyString("starting_after"), nonEmptyString("ending_before"));
        if (cursor.startingAfter().isPresent() && cursor.endingBefore().isPresent()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "ending_before",
                    "Received both starting_after and ending_before parameters. Please pass in only one."));
        }
        return cursor;
    }

    public record PageCursor(Optional<String> startingAfter, Optional<String> endingBefore) {
    }

    public Optional<Long> positiveInteger(String name) {
        Optional<Long> value = integer(name);
        if (value.isPresent() && value.get() < 1) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_INTEGER, name,
                    "This value must be greater than or equal to 1."));
        }
        return value;
    }

    /** A string parameter; "" (unset) is returned as "" so that callers can tell "unset" from "not given". */
    public Optional<String> string(String name) {
        Object value = values.get(name);
        if (value == null) {
            return values.containsKey(name) ? Optional.of("") : Optional.empty();
        }
        if (value instanceof String s) {
            return Optional.of(s);
        }
        if (value instanceof Long || value instanceof BigInteger || value instanceof BigDecimal
                || value instanceof Boolean) {
            return Optional.of(value.toString());
        }
        throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, name,
                "Invalid string: " + display(value)));
    }

    /** A string that, when given, must not be empty. */
    public Optional<String> nonEmptyString(String name) {
        Optional<String> value = string(name);
        if (value.isPresent() && value.get().isEmpty()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_EMPTY, name,
                    "You passed an empty string for '" + name + "'. We assume empty values are an attempt to unset "
                            + "a parameter; however '" + name + "' cannot be unset. You should remove '" + name
                            + "' from your request or supply a non-empty value."));
        }
        return value;
    }

    public <E> Optional<E> oneOf(String name, Map<String, E> choices) {
        Optional<String> value = nonEmptyString(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        E choice = choices.get(value.get());
        if (choice == null) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, name,
                    "Invalid " + name + ": must be one of " + String.join(", ", choices.keySet())));
        }
        return Optional.of(choice);
    }

    public Optional<Boolean> bool(String name) {
        Object value = values.get(name);
        if (value == null || "".equals(value)) {
            return Optional.empty();
        }
        if (value instanceof Boolean b) {
            return Optional.of(b);
        }
        if ("true".equals(value) || "false".equals(value)) {
            return Optional.of(Boolean.parseBoolean((String) value));
        }
        throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_BOOLEAN, name,
                "Invalid boolean: " + display(value)));
    }

    /** An array of strings, sent as a JSON array or as {@code name[]=a} / {@code name[0]=a} in a form. */
    public Optional<List<String>> stringList(String name) {
        Object value = values.get(name);
        if (value == null || "".equals(value)) {
            return Optional.empty();
        }
        if (!(value instanceof List<?> list)) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, name,
                    "Invalid array: " + name + " must be an array of strings"));
        }
        List<String> strings = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (!(item instanceof String s) || s.isEmpty()) {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING,
                        name + "[" + i + "]", "Invalid string: " + display(item)));
            }
            strings.add(s);
        }
        return Optional.of(List.copyOf(strings));
    }

    /**
     * A hash of strings ({@code metadata}). Returns empty when not given; a hash whose values may be "" (unset that
     * key). An unset of the whole hash ({@code metadata=""}) is reported by {@link #isUnset}.
     */
    public Optional<Map<String, String>> stringMap(String name) {
        Object value = values.get(name);
        if (value == null || "".equals(value)) {
            return Optional.empty();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, name,
                    "Invalid object: " + name + " must be a hash of string keys and string values"));
        }
        Map<String, String> strings = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = entry.getKey().toString();
            Object item = entry.getValue();
            if (item == null) {
                strings.put(key, "");
            } else if (item instanceof String || item instanceof Long || item instanceof BigInteger
                    || item instanceof BigDecimal || item instanceof Boolean) {
                strings.put(key, item.toString());
            } else {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING,
                        name + "[" + key + "]", "Invalid string: " + display(item)));
            }
        }
        return Optional.of(strings);
    }

    /** True when the client sent the parameter with an empty value, asking to unset it. */
    public boolean isUnset(String name) {
        return values.containsKey(name) && (values.get(name) == null || "".equals(values.get(name)));
    }

    private static ApiException missing(String name) {
        return new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_MISSING, name,
                "Missing required param: " + name + "."));
    }

    private static String display(Object value) {
        if (value instanceof Map<?, ?>) {
            return "{...}";
        }
        if (value instanceof List<?>) {
            return "[...]";
        }
        String text = String.valueOf(value);
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }
}
