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
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The account a fresh installation starts with, and its test-mode key pair: taken from PAYMENTS_SECRET_KEY and
 * PAYMENTS_PUBLISHABLE_KEY when set, otherwise generated once and kept in the data directory (readable by its owner
 * only), so that the keys a user copied keep working across restarts.
 */
public final class DefaultAccount {

    private static final Logger log = LoggerFactory.getLogger(DefaultAccount.class);
    private static final Pattern SECRET = Pattern.compile("sk_test_[A-Za-z0-9_]+");
    private static final Pattern PUBLISHABLE = Pattern.compile("pk_test_[A-Za-z0-9_]+");
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String DEFAULT_ACCOUNT_ID = "acct_default";

    private final String accountId;
    private final String secretKey;
    private final String publishableKey;

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

    public void registerWith(ApiKeyRegistry registry) {
        registry.register(accountId, secretKey);
        registry.register(accountId, publishableKey);
    }

    /**
     * Shown on the console (not through the logging system, which may ship lines elsewhere) so that a user can copy
     * the key into the quickstart's {@code export API_KEY=...} step.
     */
    public void printKeys(int port) {
        System.out.printf("%n  PaymentIntents service, test mode, account %s%n"
                + "    Secret key:      %s%n"
                + "    Publishable key: %s%n"
                + "    Try:  export API_KEY=\"%s\"%n"
                + "          curl http://localhost:%d/v1/payment_intents -u \"$API_KEY:\"%n%n",
                accountId, secretKey, publishableKey, secretKey, port);
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
