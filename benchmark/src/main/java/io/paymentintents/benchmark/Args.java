package io.paymentintents.benchmark;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name=value} arguments; a bare {@code --flag} is {@code true}. */
final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String[] arguments, int from) {
        for (int i = from; i < arguments.length; i++) {
            String argument = arguments[i];
            if (!argument.startsWith("--")) {
                throw new IllegalArgumentException("not an option: " + argument);
            }
            int equals = argument.indexOf('=');
            if (equals < 0) {
                values.put(argument.substring(2), "true");
            } else {
                values.put(argument.substring(2, equals), argument.substring(equals + 1));
            }
        }
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    int integer(String name, int fallback) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
    }

    long longValue(String name, long fallback) {
        return values.containsKey(name) ? Long.parseLong(values.get(name)) : fallback;
    }

    double decimal(String name, double fallback) {
        return values.containsKey(name) ? Double.parseDouble(values.get(name)) : fallback;
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    Duration duration(String name, Duration fallback) {
        return values.containsKey(name) ? parseDuration(values.get(name)) : fallback;
    }

    /** {@code 250ms}, {@code 20s}, {@code 3m}. */
    static Duration parseDuration(String text) {
        String t = text.trim();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("m")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
        }
        return Duration.ofSeconds(Long.parseLong(t));
    }
}
