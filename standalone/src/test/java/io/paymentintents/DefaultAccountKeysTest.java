package io.paymentintents;

import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.DefaultAccount;
import io.paymentintents.gateway.auth.InvalidKeyConfigurationException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The default account's keys: configured, or generated once and kept private in the data directory. */
class DefaultAccountKeysTest {

    @Test
    void generatedKeysAreKeptAndReusedOnTheNextStart() throws Exception {
        Path directory = Files.createTempDirectory("keys");

        DefaultAccount first = DefaultAccount.load("", "", directory);
        Properties stored = new Properties();
        try (var reader = Files.newBufferedReader(directory.resolve("api-keys.properties"))) {
            stored.load(reader);
        }
        DefaultAccount second = DefaultAccount.load("", "", directory);

        assertThat(stored.getProperty("secret_key")).matches("sk_test_[A-Za-z0-9]{32}");
        assertThat(stored.getProperty("publishable_key")).matches("pk_test_[A-Za-z0-9]{32}");
        assertThat(second.accountId()).isEqualTo(first.accountId()).startsWith("acct_");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                directory.resolve("api-keys.properties")))).isEqualTo("rw-------");
        ApiKeyRegistry registry = new ApiKeyRegistry();
        second.registerWith(registry);
        assertThat(registry.authenticate(stored.getProperty("secret_key"))).get()
                .satisfies(caller -> assertThat(caller.secretKey()).isTrue());
        assertThat(registry.authenticate(stored.getProperty("publishable_key"))).get()
                .satisfies(caller -> assertThat(caller.secretKey()).isFalse());
    }

    @Test
    void losingTheKeyFileIssuesNewKeysForTheSameAccount() throws Exception {
        Path directory = Files.createTempDirectory("keys");
        DefaultAccount first = DefaultAccount.load("", "", directory);
        String firstSecret = readSecret(directory);
        Files.delete(directory.resolve("api-keys.properties"));

        DefaultAccount second = DefaultAccount.load("", "", directory);

        assertThat(second.accountId()).isEqualTo(first.accountId()).isEqualTo("acct_default");
        assertThat(readSecret(directory)).isNotEqualTo(firstSecret);
    }

    private static String readSecret(Path directory) throws Exception {
        Properties stored = new Properties();
        try (var reader = Files.newBufferedReader(directory.resolve("api-keys.properties"))) {
            stored.load(reader);
        }
        return stored.getProperty("secret_key");
    }

    @Test
    void configuredKeysWinOverStoredOnes() throws Exception {
        Path directory = Files.createTempDirectory("keys");
        DefaultAccount.load("", "", directory);

        DefaultAccount configured = DefaultAccount.load("sk_test_configured1", "pk_test_configured1", directory);
        ApiKeyRegistry registry = new ApiKeyRegistry();
        configured.registerWith(registry);

        assertThat(registry.authenticate("sk_test_configured1")).isPresent();
        assertThat(registry.authenticate("pk_test_configured1")).isPresent();
    }

    @Test
    void keysThatAreNotTestModeKeysAreRefused() throws Exception {
        Path directory = Files.createTempDirectory("keys");

        assertThatThrownBy(() -> DefaultAccount.load("sk_live_123", "", directory))
                .isInstanceOf(InvalidKeyConfigurationException.class)
                .hasMessageContaining("PAYMENTS_SECRET_KEY");
        assertThatThrownBy(() -> DefaultAccount.load("", "sk_test_123", directory))
                .isInstanceOf(InvalidKeyConfigurationException.class)
                .hasMessageContaining("PAYMENTS_PUBLISHABLE_KEY");
        assertThat(directory.resolve("api-keys.properties")).doesNotExist();
    }
}
