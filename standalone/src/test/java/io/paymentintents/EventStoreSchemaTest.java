package io.paymentintents;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The stack's known traps, asserted on the schema Flyway made: no large objects, no gaps by allocation. */
class EventStoreSchemaTest extends ServiceTest {

    private String columnType(String table, String column) {
        return jdbc.queryForObject("SELECT data_type FROM information_schema.columns WHERE table_name = ? "
                + "AND column_name = ?", String.class, table, column);
    }

    @Test
    void payloadsMetadataAndTokensAreByteaNotLargeObjects() {
        assertThat(columnType("domain_event_entry", "payload")).isEqualTo("bytea");
        assertThat(columnType("domain_event_entry", "meta_data")).isEqualTo("bytea");
        assertThat(columnType("snapshot_event_entry", "payload")).isEqualTo("bytea");
        assertThat(columnType("snapshot_event_entry", "meta_data")).isEqualTo("bytea");
        assertThat(columnType("token_entry", "token")).isEqualTo("bytea");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM information_schema.columns WHERE data_type = 'oid' "
                + "AND table_schema = 'public'", Long.class)).isZero();
    }

    @Test
    void theGlobalIndexSequenceIncrementsByOne() {
        Map<String, Object> sequence = jdbc.queryForMap("SELECT increment_by, cache_size FROM pg_sequences "
                + "WHERE sequencename = 'domain_event_entry_global_index_seq'");
        assertThat(((Number) sequence.get("increment_by")).longValue()).isEqualTo(1);
        assertThat(((Number) sequence.get("cache_size")).longValue()).isEqualTo(1);
    }

    @Test
    void aggregateIdAndSequenceNumberAreUnique() {
        String definition = jdbc.queryForObject("SELECT indexdef FROM pg_indexes WHERE tablename = "
                + "'domain_event_entry' AND indexname = 'domain_event_entry_aggregate_sequence_key'", String.class);
        assertThat(definition).contains("UNIQUE").contains("(aggregate_identifier, sequence_number)");
    }

    @Test
    void theEmbeddedDatabaseIsDurable() {
        assertThat(jdbc.queryForObject("SHOW fsync", String.class)).isEqualTo("on");
        assertThat(jdbc.queryForObject("SHOW synchronous_commit", String.class)).isEqualTo("on");
        assertThat(jdbc.queryForObject("SHOW full_page_writes", String.class)).isEqualTo("on");
    }

    /**
     * A transaction that commits after the tracking processor's gap timeout (60 s) would be skipped by the projection
     * for ever. Every connection of the service cuts statements and idle transactions off far earlier.
     */
    @Test
    void noEventStoreTransactionCanOutliveTheGapTimeout() {
        assertThat(jdbc.queryForObject("SHOW statement_timeout", String.class)).isEqualTo("10s");
        assertThat(jdbc.queryForObject("SHOW idle_in_transaction_session_timeout", String.class)).isEqualTo("15s");
        assertThatThrownBy(() -> jdbc.execute("SELECT pg_sleep(11)"))
                .hasStackTraceContaining("canceling statement due to statement timeout");
    }

    @Test
    void eventsAreStoredAsJsonWithARevision() {
        String id = createIntent("{\"amount\": 2000, \"currency\": \"usd\"}");

        Map<String, Object> row = jdbc.queryForMap("SELECT payload_type, payload_revision, "
                + "convert_from(payload, 'UTF8') AS payload, sequence_number FROM domain_event_entry "
                + "WHERE aggregate_identifier = ?", id);

        assertThat(row.get("payload_type")).isEqualTo("io.paymentintents.api.event.PaymentIntentCreated");
        assertThat(row.get("payload_revision")).isEqualTo("1");
        assertThat(((Number) row.get("sequence_number")).longValue()).isZero();
        assertThat((String) row.get("payload")).contains("\"paymentIntentId\":\"" + id + "\"")
                .contains("\"status\":\"requires_payment_method\"");
    }

    @Test
    void aClientSecretIsShownButStoredNowhere() {
        String id = createIntent("{\"amount\": 2000, \"currency\": \"usd\"}");
        String secret = get("/v1/payment_intents/" + id).body().get("client_secret").asText();

        assertThat(secret).matches(id + "_secret_[A-Za-z0-9]{25}");
        assertThat(get("/v1/payment_intents/" + id).body().get("client_secret").asText()).isEqualTo(secret);
        String tail = secret.substring(secret.indexOf("_secret_") + 8);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM domain_event_entry WHERE position(? IN "
                + "convert_from(payload, 'UTF8')) > 0", Long.class, tail)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM information_schema.columns WHERE column_name LIKE "
                + "'%secret%' AND table_schema = 'public'", Long.class)).isZero();
    }

    @Test
    void theSameIdempotencyKeyCreatesOneIntent() {
        String key = "order-" + System.nanoTime();
        String body = "{\"amount\": 2000, \"currency\": \"usd\"}";

        Reply first = send("POST", "/v1/payment_intents", body, "Authorization", bearer(SECRET_KEY),
                "Content-Type", "application/json", "Idempotency-Key", key);
        Reply second = send("POST", "/v1/payment_intents", body, "Authorization", bearer(SECRET_KEY),
                "Content-Type", "application/json", "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        String id = first.body().get("id").asText();
        assertThat(second.body().get("id").asText()).isEqualTo(id);
        assertThat(eventCount(id)).isEqualTo(1);
    }
}
