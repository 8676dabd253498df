package io.paymentintents;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator command ({@code java -jar payment-intents.jar admin ...}), run in-process against the test database
 * (as with SPRING_DATASOURCE_URL), against the running service's embedded database (found through its
 * postmaster.pid), and against a fresh data directory (starting PostgreSQL for the command): accounts, keys issued
 * once, rolled with a grace period, revoked; and no key or client secret in any log line on the way.
 */
class OperatorCommandTest extends ServiceTest {

    @Autowired
    private EmbeddedPostgres sharedPostgres;

    @Value("${payments.data-dir}")
    private String runningDataDirectory;

    private record Run(int status, String out, String err) {
        /** The one line a command prints on standard output (an id, a key). */
        String value() {
            assertThat(status).as("exit status; stderr: %s", err).isZero();
            return out.trim();
        }
    }

    private Run admin(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--spring.datasource.url=" + sharedPostgres.getJdbcUrl("postgres", "postgres"));
        all.add("--spring.datasource.username=postgres");
        return adminWith(all.toArray(String[]::new));
    }

    private static Run adminWith(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = io.paymentintents.standalone.admin.AdminCommand.run(args, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private int statusWith(String key) {
        return send("GET", "/v1/payment_intents?limit=1", null, "Authorization", bearer(key)).status();
    }

    private String keyId(String account, String last4, String state) {
        return admin("keys", "list", "--account", account).out().lines()
                .filter(line -> line.contains(" " + last4 + " ") && line.contains(state))
                .map(line -> line.split("\\s+")[0]).findFirst().orElseThrow();
    }

    @Test
    void anAccountGetsKeysThatWorkAndAreListedWithoutTheKeys() {
        String account = admin("accounts", "create", "--name", "Corner shop").value();
        Run secret = admin("keys", "issue", "--account", account, "--type", "secret");
        Run publishable = admin("keys", "issue", "--account", account, "--type", "publishable");

        assertThat(account).matches("acct_[A-Za-z0-9]{16}");
        assertThat(secret.value()).matches("sk_test_[A-Za-z0-9]{32}");
        assertThat(publishable.value()).matches("pk_test_[A-Za-z0-9]{32}");
        assertThat(secret.err()).contains("only time the key is shown").doesNotContain(secret.value());
        assertThat(statusWith(secret.value())).isEqualTo(200);
        String id = send("POST", "/v1/payment_intents", "amount=1000&currency=usd", "Authorization",
                bearer(secret.value())).body().get("id").asText();
        assertThat(jdbc.queryForObject("SELECT account_id FROM payment_intents WHERE id = ?", String.class, id))
                .isEqualTo(account);

        Run list = admin("keys", "list", "--account", account);
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains("secret", "publishable", secret.value().substring(36),
                publishable.value().substring(36), "active")
                .doesNotContain(secret.value(), publishable.value());
        assertThat(list.out().lines().skip(1)).hasSize(2).allMatch(line -> line.startsWith("key_"));
        assertThat(jdbc.queryForList("SELECT * FROM api_keys WHERE account_id = ?", account).toString())
                .doesNotContain(secret.value(), publishable.value(), secret.value().substring(8));
        assertThat(admin("accounts", "list").out()).contains(account, "Corner shop");
    }

    @Test
    void aRolledKeyWorksUntilTheEndOfItsGracePeriodAndTheNewOneAfterIt() {
        String account = admin("accounts", "create", "--name", "Rolling shop").value();
        String old = admin("keys", "issue", "--account", account, "--type", "secret").value();
        String id = send("POST", "/v1/payment_intents", "amount=1000&currency=usd", "Authorization", bearer(old))
                .body().get("id").asText();

        Run roll = admin("keys", "roll", "--key", old, "--grace", "4s");
        String rolled = roll.value();

        assertThat(rolled).startsWith("sk_test_").isNotEqualTo(old);
        assertThat(roll.err()).contains("works until").doesNotContain(old, rolled);
        assertThat(statusWith(old)).isEqualTo(200);
        assertThat(statusWith(rolled)).isEqualTo(200);
        assertThat(admin("keys", "list", "--account", account).out()).contains("expiring");
        // the new key is the same account's: it sees what the old one made
        assertThat(send("GET", "/v1/payment_intents/" + id, null, "Authorization", bearer(rolled)).status())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> statusWith(old) == 401);
        Reply refused = send("GET", "/v1/payment_intents?limit=1", null, "Authorization", bearer(old));
        assertThat(refused.error().get("message").asText())
                .isEqualTo("Invalid API Key provided: sk_test_****" + old.substring(old.length() - 4));
        assertThat(statusWith(rolled)).isEqualTo(200);
        assertThat(admin("keys", "list", "--account", account).out()).contains("expired");
    }

    @Test
    void aKeyRolledWithoutGraceOrRevokedStopsWorkingAndAnUnknownKeyNeverDid() {
        String account = admin("accounts", "create", "--name", "Careful shop").value();
        String first = admin("keys", "issue", "--account", account, "--type", "secret").value();
        String publishable = admin("keys", "issue", "--account", account, "--type", "publishable").value();
        assertThat(statusWith(first)).isEqualTo(200);

        String second = admin("keys", "roll", "--key", first, "--grace", "0").value();
        String publishableId = keyId(account, publishable.substring(publishable.length() - 4), "active");
        Run revoked = admin("keys", "revoke", "--key", publishableId);

        assertThat(revoked.status()).isZero();
        assertThat(revoked.err()).contains("Revoked " + publishableId);
        // other processes' revocations reach the service within its cache's time to live (2 s)
        await().atMost(Duration.ofSeconds(10)).until(() -> statusWith(first) == 401);
        assertThat(statusWith(second)).isEqualTo(200);
        Intent intent = intentOf(second);
        await().atMost(Duration.ofSeconds(10)).until(() -> send("GET", "/v1/payment_intents/" + intent.id()
                + "?client_secret=" + URLEncoder.encode(intent.secret(), StandardCharsets.UTF_8), null,
                "Authorization", bearer(publishable)).status() == 401);
        assertThat(statusWith("sk_test_" + "x".repeat(32))).isEqualTo(401);
        assertThat(admin("keys", "list", "--account", account).out()).contains("revoked", "expired");
        assertThat(admin("keys", "roll", "--key", publishableId, "--grace", "1h").status()).isEqualTo(1);
    }

    private record Intent(String id, String secret) {
    }

    private Intent intentOf(String secretKey) {
        Reply created = send("POST", "/v1/payment_intents", "amount=1000&currency=usd", "Authorization",
                bearer(secretKey));
        return new Intent(created.body().get("id").asText(), created.body().get("client_secret").asText());
    }

    @Test
    void mistakesAreRefusedWithAReason() {
        Run nothing = adminWith();
        Run unknownType = admin("keys", "issue", "--account", "acct_default", "--type", "live");
        Run unknownAccount = admin("keys", "issue", "--account", "acct_nosuchaccount", "--type", "secret");
        Run unknownKey = admin("keys", "roll", "--key", "key_nosuchkey", "--grace", "1h");
        Run keyAsArgument = admin("keys", "revoke", "sk_test_shouldnotbeechoed1");
        Run badGrace = admin("keys", "roll", "--key", "key_default_secret", "--grace", "soon");

        assertThat(nothing.status()).isEqualTo(2);
        assertThat(nothing.err()).contains("Usage:");
        assertThat(unknownType.status()).isEqualTo(2);
        assertThat(unknownType.err()).contains("--type must be secret or publishable");
        assertThat(unknownAccount.status()).isEqualTo(1);
        assertThat(unknownAccount.err()).contains("No such account: 'acct_nosuchaccount'");
        assertThat(unknownKey.status()).isEqualTo(1);
        assertThat(unknownKey.err()).contains("No such API key: 'key_nosuchkey'");
        assertThat(keyAsArgument.status()).isEqualTo(2);
        assertThat(keyAsArgument.err()).doesNotContain("shouldnotbeechoed");
        assertThat(badGrace.status()).isEqualTo(2);
        assertThat(statusWith(SECRET_KEY)).isEqualTo(200);
        assertThat(adminWith("help").out()).contains("keys roll --key KEY --grace DURATION");
    }

    @Test
    void theRunningServicesEmbeddedDatabaseIsFoundThroughItsPidFile() {
        Run created = adminWith("accounts", "create", "--name", "Found by pid file",
                "--payments.data-dir=" + runningDataDirectory);

        String account = created.value();
        assertThat(created.err()).doesNotContain("not running");
        assertThat(jdbc.queryForObject("SELECT name FROM accounts WHERE id = ?", String.class, account))
                .isEqualTo("Found by pid file");
    }

    @Test
    void aFreshDataDirectoryGetsTheServicesDatabaseStartedForTheCommand() throws Exception {
        Path dataDirectory = Files.createTempDirectory("admin-fresh");
        String setting = "--payments.data-dir=" + dataDirectory;

        Run created = adminWith("accounts", "create", "--name", "Before the first start", setting);
        String account = created.value();
        String key = adminWith("keys", "issue", "--account", account, "--type", "secret", setting).value();
        Run defaults = adminWith("keys", "list", "--account", "acct_default", setting);

        assertThat(created.err()).contains("not running");
        assertThat(dataDirectory.resolve("postgres/PG_VERSION")).exists();
        assertThat(dataDirectory.resolve("postgres/postmaster.pid")).doesNotExist();
        assertThat(adminWith("keys", "list", "--account", account, setting).out())
                .contains(key.substring(key.length() - 4)).doesNotContain(key);
        assertThat(defaults.status()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM accounts WHERE id = ?", Long.class, account)).isZero();
    }

    @Test
    void noLogLineCarriesAKeyOrAClientSecret() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = context.getLogger("io.paymentintents");
        Level level = ours.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.setContext(context);
        captured.start();
        root.addAppender(captured);
        ours.setLevel(Level.DEBUG);
        List<String> secrets = new ArrayList<>();
        try {
            String account = admin("accounts", "create", "--name", "Logged shop").value();
            String secret = admin("keys", "issue", "--account", account, "--type", "secret").value();
            String publishable = admin("keys", "issue", "--account", account, "--type", "publishable").value();
            String rolled = admin("keys", "roll", "--key", secret, "--grace", "1h").value();
            Intent intent = intentOf(rolled);
            secrets.addAll(List.of(secret, publishable, rolled, intent.secret()));
            String clientSecret = URLEncoder.encode(intent.secret(), StandardCharsets.UTF_8);

            send("GET", "/v1/payment_intents/" + intent.id() + "?client_secret=" + clientSecret + "&key="
                    + publishable, null);
            send("GET", "/v1/payment_intents/" + intent.id() + "?client_secret=" + clientSecret + "x",
                    null, "Authorization", bearer(publishable));
            send("POST", "/v1/payment_intents/" + intent.id() + "/confirm", "payment_method=pm_card_chargeDeclined"
                    + "&client_secret=" + clientSecret + "&key=" + publishable, "Content-Type",
                    "application/x-www-form-urlencoded");
            send("POST", "/v1/payment_intents/" + intent.id() + "/confirm", "payment_method=pm_card_visa"
                    + "&client_secret=" + clientSecret, "Authorization", bearer(publishable), "Idempotency-Key",
                    "log-test-" + System.nanoTime());
            send("POST", "/v1/payment_intents", "amount=1000&currency=usd", "Authorization", bearer(publishable));
            send("GET", "/v1/payment_intents?key=" + secret, null);
            send("GET", "/v1/payment_intents", null, "Authorization", bearer(secret + "typo"));
            send("GET", "/v1/payment_intents", null, "Authorization", basic(SECRET_KEY));
            admin("keys", "revoke", "--key", publishable);
        } finally {
            root.detachAppender(captured);
            ours.setLevel(level);
        }

        assertThat(captured.list).as("log events captured").isNotEmpty();
        for (ILoggingEvent event : captured.list) {
            String line = event.getFormattedMessage() + " " + throwableText(event.getThrowableProxy()) + " "
                    + event.getMDCPropertyMap();
            assertThat(line).as("log line of %s", event.getLoggerName())
                    .doesNotContain("sk_test_", "pk_test_", "_secret_");
            for (String secret : secrets) {
                assertThat(line).doesNotContain(secret, secret.substring(8));
            }
        }
    }

    private static String throwableText(IThrowableProxy proxy) {
        StringBuilder text = new StringBuilder();
        for (IThrowableProxy t = proxy; t != null; t = t.getCause()) {
            text.append(t.getClassName()).append(": ").append(t.getMessage()).append(' ');
            Stream.of(t.getSuppressed()).forEach(s -> text.append(s.getMessage()).append(' '));
        }
        return text.toString();
    }
}
