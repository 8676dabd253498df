package io.paymentintents.query;

import io.paymentintents.api.secrets.ClientSecrets;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

@Configuration(proxyBeanMethods = false)
public class QuerySideConfiguration {

    @Bean(initMethod = "migrate")
    public Flyway queryModelMigrations(DataSource dataSource) {
        return Flyway.configure()
                     .dataSource(dataSource)
                     .locations("classpath:db/query")
                     .table("flyway_history_query")
                     // each side keeps its own history table in the shared schema
                     .baselineOnMigrate(true)
                     .baselineVersion("0")
                     .load();
    }

    @Bean
    public TokenSchema tokenSchema() {
        return TokenSchema.builder()
                          .setTokenTable("token_entry")
                          .setProcessorNameColumn("processor_name")
                          .setSegmentColumn("segment")
                          .setTokenColumn("token")
                          .setTokenTypeColumn("token_type")
                          .setTimestampColumn("time_stamp")
                          .setOwnerColumn("owner")
                          .build();
    }

    /**
     * The key client secrets are derived with: PAYMENTS_CLIENT_SECRET_KEY (base64, at least 32 bytes) when set, as
     * every node of a deployment must share it; otherwise generated once and kept in the data directory.
     */
    @Bean
    public ClientSecrets clientSecrets(@Value("${payments.client-secret-key:}") String configured,
                                       @Value("${payments.data-dir:./data}") Path dataDirectory) throws IOException {
        if (!configured.isBlank()) {
            return new ClientSecrets(Base64.getDecoder().decode(configured.trim()));
        }
        Path file = dataDirectory.resolve("client-secret.key");
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.createDirectories(dataDirectory);
            Path temporary = Files.createTempFile(dataDirectory, "client-secret", ".tmp");
            Files.write(temporary, Base64.getEncoder().encode(key));
            try {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // a file system without POSIX permissions keeps its defaults
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        }
        return new ClientSecrets(Base64.getDecoder().decode(Files.readString(file).trim()));
    }

    /**
     * A failure in a projection (a database hiccup) stops its processor, which retries the batch with a growing
     * pause, instead of being logged and skipped (Axon's default): a skipped event would leave the read model wrong
     * for good, and the events projection folds each event onto the one before, so every later event of that
     * intent would be wrong too.
     */
    @Bean
    public ConfigurerModule projectionsRetryFailures() {
        return configurer -> {
            configurer.eventProcessing().registerListenerInvocationErrorHandler(
                    StripeEventProjection.PROCESSING_GROUP, configuration -> PropagatingErrorHandler.instance());
            configurer.eventProcessing().registerListenerInvocationErrorHandler(
                    PaymentIntentProjection.PROCESSING_GROUP, configuration -> PropagatingErrorHandler.instance());
        };
    }

    /** The read model's view as a fold of events: for the events projection and for {@code as_of}. */
    @Bean
    public PaymentIntentFold paymentIntentFold(ClientSecrets clientSecrets) {
        return new PaymentIntentFold(clientSecrets);
    }

    /** How the read model stores its JSON columns; internal to this side, never seen by clients. */
    @Bean
    public ObjectMapper readModelObjectMapper() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                                 .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }
}
