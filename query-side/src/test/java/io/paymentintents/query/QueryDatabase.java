package io.paymentintents.query;

import io.paymentintents.api.secrets.ClientSecrets;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One real PostgreSQL for the whole test JVM, started on first use, migrated once with the query side's own Flyway
 * configuration, and stopped when the JVM exits. Test classes run one after another and clean the table they use.
 */
final class QueryDatabase {

    private static final QueryDatabase INSTANCE = start();

    private final EmbeddedPostgres postgres;
    private final HikariDataSource dataSource;

    private QueryDatabase(EmbeddedPostgres postgres, HikariDataSource dataSource) {
        this.postgres = postgres;
        this.dataSource = dataSource;
    }

    private static QueryDatabase start() {
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setMaximumPoolSize(4);
        dataSource.setPoolName("query-side-tests");
        new QuerySideConfiguration().queryModelMigrations(dataSource).migrate();
        QueryDatabase database = new QueryDatabase(postgres, dataSource);
        Runtime.getRuntime().addShutdownHook(new Thread(database::stop, "embedded-postgres-stop"));
        return database;
    }

    private void stop() {
        dataSource.close();
        try {
            postgres.close();
        } catch (IOException ignored) {
            // the JVM is exiting anyway
        }
    }

    static DataSource dataSource() {
        return INSTANCE.dataSource;
    }

    static JdbcTemplate jdbc() {
        return new JdbcTemplate(INSTANCE.dataSource);
    }

    /** A fresh table object over the shared database, built as the application builds it. */
    /** A fixed key, so that tests can expect exact client secrets. */
    static final ClientSecrets CLIENT_SECRETS = new ClientSecrets(new byte[32]);

    static PaymentIntentTable newTable() {
        return new PaymentIntentTable(new NamedParameterJdbcTemplate(INSTANCE.dataSource),
                new QuerySideConfiguration().readModelObjectMapper(), CLIENT_SECRETS);
    }

    static void deleteAllPaymentIntents() {
        jdbc().update("DELETE FROM payment_intent_charges");
        jdbc().update("DELETE FROM payment_intents");
    }

    static int countPaymentIntents() {
        return jdbc().queryForObject("SELECT count(*) FROM payment_intents", Integer.class);
    }

    /** The {@code created} column (unix seconds), which the view does not carry but list order and filters use. */
    static long createdColumnOf(String paymentIntentId) {
        return jdbc().queryForObject("SELECT created FROM payment_intents WHERE id = ?", Long.class, paymentIntentId);
    }
}
