package io.paymentintents.standalone.admin;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.paymentintents.gateway.auth.Account;
import io.paymentintents.gateway.auth.ApiKeyInfo;
import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.DefaultAccount;
import io.paymentintents.gateway.auth.IssuedKey;
import io.paymentintents.gateway.auth.KeyKind;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar payment-intents.jar admin <command>}: accounts and API keys, against the service's database,
 * whether the service is running or not (see {@link AdminDatabase}). A key is printed once, alone on standard
 * output, when it is issued; everything else the command has to say goes to standard error, so that
 * {@code KEY=$(... admin keys issue ...)} captures just the key.
 */
public final class AdminCommand {

    static final String USAGE = """
            Usage: java -jar payment-intents.jar admin <command>

              accounts create --name NAME                   create an account; prints its id
              accounts list                                 every account
              keys issue --account ACCOUNT --type TYPE      issue a key (TYPE: secret or publishable); prints it once
              keys roll --key KEY --grace DURATION          issue a new key of the same account and type, print it
                                                            once, and let the old key work for DURATION more
                                                            (e.g. 24h, 30m, 7d, 0 for not at all)
              keys revoke --key KEY                         the key stops working now
              keys list --account ACCOUNT                   the account's keys: id, type, last 4, state, expiry

              processors list                               every event processor's position and lag
              read-model rebuild                            rebuild the read model from the events in the running
                                                            service, switch to it when caught up; waits until done
              read-model status                             the latest rebuilds
              read-model verify [--settle DURATION]         compare the read model with a fold of the events; exit
                                                            status 3 if they differ (default --settle 5s: how long
                                                            an intent found different is compared again, in case
                                                            it was being written)

            KEY is a key id (key_...) or the key itself. The database is the service's: SPRING_DATASOURCE_URL
            (with _USERNAME and _PASSWORD) when set, otherwise the embedded PostgreSQL in $PAYMENTS_DATA_DIR/postgres
            (default ./data/postgres), started for the command if the service is not running. Settings may also
            be given as arguments: --spring.datasource.url=..., --payments.data-dir=...
            """;

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)?");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;

    private final PrintStream out;
    private final PrintStream err;

    private AdminCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        quietLogging();
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /**
     * Runs one command; answers the exit status: 0 done, 1 refused or failed, 2 not understood, 3 the read model
     * differs from the events ({@code read-model verify}).
     */
    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        List<String> words = new ArrayList<>();
        AdminSettings settings = AdminSettings.from(args, environment, words);
        AdminCommand command = new AdminCommand(out, err);
        Invocation invocation;
        try {
            invocation = Invocation.parse(words);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.println();
            err.print(USAGE);
            return 2;
        }
        if (invocation.path().equals("help")) {
            out.print(USAGE);
            return 0;
        }
        try (AdminDatabase database = AdminDatabase.open(settings, err)) {
            if (invocation.path().startsWith("processors ") || invocation.path().startsWith("read-model ")) {
                return new ReadModelAdmin(database, out, err).execute(invocation);
            }
            ApiKeyRegistry registry = new ApiKeyRegistry(new JdbcTemplate(database.dataSource()));
            // the default account exists before the service ever ran, so that it can be given keys already
            registry.ensureAccount(DefaultAccount.DEFAULT_ACCOUNT_ID, "Default account");
            return command.execute(invocation, registry);
        } catch (UsageException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("admin " + invocation.path() + " failed: " + e);
            return 1;
        }
    }

    private int execute(Invocation invocation, ApiKeyRegistry registry) {
        switch (invocation.path()) {
            case "accounts create" -> {
                Account account = registry.createAccount(invocation.required("name"));
                out.println(account.id());
                err.println("Created account " + account.id() + " (" + account.name() + ").");
            }
            case "accounts list" -> {
                out.printf("%-24s %-20s %s%n", "ID", "CREATED", "NAME");
                for (Account account : registry.accounts()) {
                    out.printf("%-24s %-20s %s%n", account.id(), time(account.createdAt()), account.name());
                }
            }
            case "keys issue" -> {
                String account = invocation.required("account");
                KeyKind kind = kind(invocation.required("type"));
                IssuedKey issued = registry.issue(account, kind);
                out.println(issued.key());
                err.println("Issued " + issued.info().id() + ", a " + kind.wireName() + " key of " + account
                        + " ending in " + issued.info().last4() + ". This is the only time the key is shown: "
                        + "only its SHA-256 hash is stored.");
            }
            case "keys roll" -> {
                Duration grace = grace(invocation.required("grace"));
                String old = invocation.required("key");
                IssuedKey issued = registry.roll(old, grace);
                ApiKeyInfo rolled = registry.find(old).orElseThrow();
                out.println(issued.key());
                err.println("Rolled " + rolled.id() + " to " + issued.info().id() + " (" + issued.info().kind()
                        .wireName() + ", " + issued.info().accountId() + ", ending in " + issued.info().last4()
                        + "). " + rolled.id() + " works until " + time(rolled.expiresAt())
                        + ". This is the only time the new key is shown: only its SHA-256 hash is stored.");
            }
            case "keys revoke" -> {
                ApiKeyInfo revoked = registry.revoke(invocation.required("key"));
                err.println("Revoked " + revoked.id() + " (" + revoked.kind().wireName() + ", "
                        + revoked.accountId() + ", ending in " + revoked.last4() + ") at "
                        + time(revoked.revokedAt()) + ".");
            }
            case "keys list" -> {
                String account = invocation.required("account");
                if (registry.findAccount(account).isEmpty()) {
                    throw new IllegalArgumentException("No such account: '" + account + "'");
                }
                Instant now = Instant.now();
                out.printf("%-28s %-12s %-6s %-9s %-20s %s%n", "ID", "TYPE", "LAST4", "STATE", "CREATED", "EXPIRES");
                for (ApiKeyInfo key : registry.keys(account)) {
                    out.printf("%-28s %-12s %-6s %-9s %-20s %s%n", key.id(), key.kind().wireName(), key.last4(),
                            key.stateAt(now), time(key.createdAt()),
                            key.expiresAt() == null ? "-" : time(key.expiresAt()));
                }
            }
            default -> throw new UsageException("Unknown command: " + invocation.path());
        }
        return 0;
    }

    private static KeyKind kind(String type) {
        return KeyKind.fromWireName(type).orElseThrow(() -> new UsageException(
                "--type must be secret or publishable, not '" + type + "'"));
    }

    static Duration grace(String text) {
        return duration("grace", text);
    }

    /** {@code 24h}, {@code 30m}, {@code 90s}, {@code 7d}, {@code 500ms}, {@code 0}, or ISO-8601 ({@code PT24H}). */
    static Duration duration(String option, String text) {
        Matcher matcher = SHORT_DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            String unit = matcher.group(2);
            if (unit == null && amount != 0) {
                throw new UsageException("--" + option + " needs a unit: e.g. 24h, 30m, 7d (or 0)");
            }
            return switch (unit == null ? "s" : unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new UsageException("--" + option + " must be a duration such as 24h, 30m, 7d or 0, not '" + text
                    + "'");
        }
    }

    private static String time(Instant instant) {
        return instant == null ? "-" : TIME.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * Without Spring Boot's logging setup, Logback would print every library's DEBUG lines on standard output,
     * where the key goes: warnings only, on standard error.
     */
    private static void quietLogging() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger{36}: %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
    }

    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    /**
     * {@code <group> <action> --option value ...}, e.g. {@code keys roll --key key_... --grace 24h}. An option whose
     * name ends in {@code ?} below may be left out.
     */
    record Invocation(String path, Map<String, String> options) {

        private static final Map<String, List<String>> OPTIONS = Map.ofEntries(
                Map.entry("accounts create", List.of("name")),
                Map.entry("accounts list", List.of()),
                Map.entry("keys issue", List.of("account", "type")),
                Map.entry("keys roll", List.of("key", "grace")),
                Map.entry("keys revoke", List.of("key")),
                Map.entry("keys list", List.of("account")),
                Map.entry("processors list", List.of()),
                Map.entry("read-model rebuild", List.of()),
                Map.entry("read-model status", List.of()),
                Map.entry("read-model verify", List.of("settle?")),
                Map.entry("help", List.of()));

        static Invocation parse(List<String> words) {
            if (words.isEmpty() || words.get(0).equals("help") || words.get(0).equals("--help")
                    || words.get(0).equals("-h")) {
                if (words.isEmpty()) {
                    throw new UsageException("No command given.");
                }
                return new Invocation("help", Map.of());
            }
            if (words.size() < 2 || words.get(1).startsWith("-")) {
                throw new UsageException("Unknown command: " + words.get(0));
            }
            String path = words.get(0) + " " + words.get(1);
            List<String> allowed = OPTIONS.get(path);
            if (allowed == null) {
                throw new UsageException("Unknown command: " + path);
            }
            Map<String, String> options = new HashMap<>();
            for (int i = 2; i < words.size(); i++) {
                String word = words.get(i);
                if (!word.startsWith("--") || word.length() == 2) {
                    // never echo what may be a key
                    throw new UsageException("Unexpected argument: " + (word.startsWith("sk_") || word.startsWith("pk_")
                            ? word.substring(0, 3) + "…" : word));
                }
                String name;
                String value;
                int equals = word.indexOf('=');
                if (equals > 0) {
                    name = word.substring(2, equals);
                    value = word.substring(equals + 1);
                } else {
                    name = word.substring(2);
                    if (i + 1 >= words.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = words.get(++i);
                }
                if (!allowed.contains(name) && !allowed.contains(name + "?")) {
                    throw new UsageException("admin " + path + " has no option --" + name);
                }
                options.put(name, value);
            }
            for (String name : allowed) {
                if (!name.endsWith("?") && !options.containsKey(name)) {
                    throw new UsageException("admin " + path + " needs --" + name);
                }
            }
            return new Invocation(path, options);
        }

        String required(String name) {
            return options.get(name);
        }

        String optional(String name, String fallback) {
            return options.getOrDefault(name, fallback);
        }
    }
}
