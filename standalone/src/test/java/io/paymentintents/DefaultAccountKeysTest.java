package io.paymentintents;

import io.paymentintents.gateway.GatewaySchemaConfiguration;
import io.paymentintents.gateway.auth.ApiKeyRegistry;
import io.paymentintents.gateway.auth.DefaultAccount;
import io.paymentintents.gateway.auth.InvalidKeyConfigurationException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The default account's keys: configured, or generated once and kept private in the data directory, and registered
 * (as hashes) in the database. Each test registers into a database of its own on the shared server, so that the
 * keys it configures do not replace the ones the other tests use.
 */
class DefaultAccountKeysTest extends ServiceTest {

    @Autowired
    private EmbeddedPostgres sharedPostgres;

    private JdbcTemplate database;

    @BeforeEach
    void ownDatabase() {
        String name = "default_keys_" + UUID.randomUUID().toString().replace("-", "");
        jdbc.execute("CREATE DATABASE " + name);
        DriverManagerDataSource dataSource = new DriverManagerDataSource(
                sharedPostgres.getJdbcUrl("postgres", name), "postgres", "");
        GatewaySchemaConfiguration.flyway(dataSource).migrate();
        database = new JdbcTemplate(dataSource);
    }

    private ApiKeyRegistry registry() {
        return new ApiKeyRegistry(database, java.time.Clock.systemUTC(), Duration.ZERO);
    }

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
        ApiKeyRegistry registry = registry();
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
        ApiKeyRegistry registry = registry();
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

    @Test
    void theDatabaseHoldsTheAccountAndOnlyTheKeysHashes() throws Exception {
        Path directory = Files.createTempDirectory("keys");
        DefaultAccount.load("sk_test_stored1", "pk_test_stored1", directory).registerWith(registry());

        assertThat(database.queryForObject("SELECT name FROM accounts WHERE id = 'acct_default'", String.class))
                .isEqualTo("Default account");
        assertThat(database.queryForList("SELECT id, kind, key_hash, last4 FROM api_keys ORDER BY id"))
                .hasSize(2)
                .allSatisfy(row -> assertThat(row.get("key_hash").toString()).matches("[0-9a-f]{64}")
                        .isNotEqualTo("sk_test_stored1"))
                .extracting(row -> row.get("id") + " " + row.get("kind") + " " + row.get("last4"))
                .containsExactly("key_default_publishable publishable red1", "key_default_secret secret red1");
        assertThat(database.queryForObject("SELECT count(*) FROM api_keys WHERE key_hash = ?", Long.class,
                ApiKeyRegistry.digest("sk_test_stored1"))).isEqualTo(1);
    }

    @Test
    void aKeyReplacedInTheConfigurationStopsWorkingAndARestartChangesNothing() throws Exception {
        Path directory = Files.createTempDirectory("keys");
        ApiKeyRegistry registry = registry();
        DefaultAccount.load("sk_test_before1", "", directory).registerWith(registry);
        DefaultAccount.load("sk_test_before1", "", directory).registerWith(registry);
        assertThat(registry.authenticate("sk_test_before1")).isPresent();

        DefaultAccount.load("sk_test_after1", "", directory).registerWith(registry);

        assertThat(registry.authenticate("sk_test_before1")).isEmpty();
        assertThat(registry.authenticate("sk_test_after1")).get()
                .satisfies(caller -> assertThat(caller.accountId()).isEqualTo("acct_default"));
    }

    @Test
    void aRestartDoesNotReviveARolledOrRevokedDefaultKey() throws Exception {
        Path directory = Files.createTempDirectory("keys");
        ApiKeyRegistry registry = registry();
        DefaultAccount.load("sk_test_rolled1", "pk_test_revoked1", directory).registerWith(registry);
        registry.roll(DefaultAccount.SECRET_KEY_ID, Duration.ZERO);
        registry.revoke("pk_test_revoked1");

        DefaultAccount.load("sk_test_rolled1", "pk_test_revoked1", directory).registerWith(registry);

        assertThat(registry.authenticate("sk_test_rolled1")).isEmpty();
        assertThat(registry.authenticate("pk_test_revoked1")).isEmpty();
    }
}
