package io.paymentintents.standalone.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The service's settings as the operator command sees them, found the way Spring Boot finds them for the service:
 * a {@code --name=value} argument, then a system property, then the environment variable ({@code SPRING_DATASOURCE_URL}
 * for {@code spring.datasource.url}). Arguments of this form are taken out of the command's own arguments.
 */
final class AdminSettings {

    private final Map<String, String> arguments;
    private final Map<String, String> environment;

    private AdminSettings(Map<String, String> arguments, Map<String, String> environment) {
        this.arguments = arguments;
        this.environment = environment;
    }

    /** Splits {@code args} into settings ({@code --a.b=c}, the name containing a dot) and the command's words. */
    static AdminSettings from(String[] args, Map<String, String> environment, List<String> commandWords) {
        Map<String, String> settings = new java.util.HashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 2 && arg.substring(2, equals).contains(".")) {
                settings.put(arg.substring(2, equals), arg.substring(equals + 1));
            } else {
                commandWords.add(arg);
            }
        }
        return new AdminSettings(settings, environment);
    }

    static AdminSettings from(String[] args, Map<String, String> environment) {
        return from(args, environment, new ArrayList<>());
    }

    Optional<String> get(String name) {
        String value = arguments.get(name);
        if (value == null) {
            value = System.getProperty(name);
        }
        if (value == null) {
            value = environment.get(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }

    String get(String name, String fallback) {
        return get(name).orElse(fallback);
    }
}
