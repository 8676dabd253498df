package io.paymentintents.gateway.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The account a fresh installation starts with, and its test-mode key pair: taken from PAYMENTS_SECRET_KEY and
 * PAYMENTS_PUBLISHABLE_KEY when set, otherwise generated once and kept in the data directory (readable by its owner
 * only), so that the keys a user copied keep working across restarts. The database knows the account and the keys'
 * hashes only ({@link #registerWith}); this file is the one place the default keys are kept in the clear.
 */
public final class DefaultAccount {

    private static final Logger log = LoggerFactory.getLogger(DefaultAccount.class);
    private static final Pattern SECRET = Pattern.compile("sk_test_[A-Za-z0-9_]+");
    private static final Pattern PUBLISHABLE = Pattern.compile("pk_test_[A-Za-z0-9_]+");
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String DEFAULT_ACCOUNT_ID = "acct_default";
    /** The ids the configured keys are registered under, whichever keys are configured. */
    public static final String SECRET_KEY_ID = "key_default_secret";
    public static final String PUBLISHABLE_KEY_ID = "key_default_publishable";

    private final String accountId;
    private final String secretKey;
    private final String publishableKey;
    private volatile String secretKeyNote = "";
    private volatile String publishableKeyNote = "";

    private DefaultAccount(String accountId, String secretKey, String publishableKey) {
        this.accountId = accountId;
        this.secretKey = secretKey;
        this.publishableKey = publishableKey;
    }

    public static DefaultAccount load(String configuredSecret, String configuredPublishable, Path dataDirectory) {
        if (!configuredSecret.isEmpty() && !SECRET.matcher(configuredSecret).matches()) {
            throw new InvalidKeyConfigurationException(
                    "PAYMENTS_SECRET_KEY must be a test-mode secret key: sk_test_ followed by letters and digits.");
        }
        if (!configuredPublishable.isEmpty() && !PUBLISHABLE.matcher(configuredPublishable).matches()) {
            throw new InvalidKeyConfigurationException("PAYMENTS_PUBLISHABLE_KEY must be a test-mode publishable "
                    + "key: pk_test_ followed by letters and digits.");
        }
        Path file = dataDirectory.resolve("api-keys.properties");
        Properties stored = read(file);
        // A fixed id, not one kept only in this file: losing or replacing the key file must not orphan the
        // account's payments (new keys are issued for the same account).
        String account = DEFAULT_ACCOUNT_ID;
        String secret = !configuredSecret.isEmpty() ? configuredSecret
                : stored.getProperty("secret_key", "sk_test_" + random(32));
        String publishable = !configuredPublishable.isEmpty() ? configuredPublishable
                : stored.getProperty("publishable_key", "pk_test_" + random(32));
        Properties updated = new Properties();
        updated.setProperty("account", account);
        updated.setProperty("secret_key", secret);
        updated.setProperty("publishable_key", publishable);
        if (!updated.equals(stored)) {
            write(file, updated);
        }
        return new DefaultAccount(account, secret, publishable);
    }

    /**
     * Creates the account in the database if it is not there yet, and registers the hashes of its two keys under
     * fixed ids ({@link #SECRET_KEY_ID}, {@link #PUBLISHABLE_KEY_ID}): idempotent, so every start may do it. A key
     * the operator rolled or revoked stays so; a key replaced in the configuration stops working.
     */
    public void registerWith(ApiKeyRegistry registry) {
        registry.ensureAccount(accountId, "Default account");
        registry.registerConfiguredKey(SECRET_KEY_ID, accountId, KeyKind.SECRET, secretKey);
        registry.registerConfiguredKey(PUBLISHABLE_KEY_ID, accountId, KeyKind.PUBLISHABLE, publishableKey);
        secretKeyNote = note(registry, secretKey);
        publishableKeyNote = note(registry, publishableKey);
    }

    /** Said beside a key in the banner when it no longer works as it is: rolled (with its expiry) or revoked. */
    private static String note(ApiKeyRegistry registry, String key) {
        return registry.find(key).map(info -> switch (info.stateAt(Instant.now())) {
            case "expiring" -> "  (rolled: works until " + info.expiresAt().truncatedTo(ChronoUnit.SECONDS) + ")";
            case "expired" -> "  (rolled: expired at " + info.expiresAt().truncatedTo(ChronoUnit.SECONDS)
                    + "; use the key it was rolled to)";
            case "revoked" -> "  (revoked)";
            default -> "";
        }).orElse("");
    }

    /**
     * Shown on the console (not through the logging system, which may ship lines elsewhere) so that a user can copy
     * the key into the quickstart's {@code export API_KEY=...} step.
     */
    public void printKeys(int port) {
        System.out.printf("%n  PaymentIntents service, test mode, account %s%n"
                + "    Secret key:      %s%s%n"
                + "    Publishable key: %s%s%n"
                + "    Try:  export API_KEY=\"%s\"%n"
                + "          curl http://localhost:%d/v1/payment_intents -u \"$API_KEY:\"%n%n",
                accountId, secretKey, secretKeyNote, publishableKey, publishableKeyNote, secretKey, port);
    }

    public String accountId() {
        return accountId;
    }

    private static Properties read(Path file) {
        Properties properties = new Properties();
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
        }
        return properties;
    }

    private static void write(Path file, Properties properties) {
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                properties.store(writer, "Test-mode API keys of the default account. Keep this file private.");
            }
            try {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                log.debug("file system without POSIX permissions; {} keeps its default permissions", file);
            }
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    private static String random(int length) {
        StringBuilder builder = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            builder.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return builder.toString();
    }
}
