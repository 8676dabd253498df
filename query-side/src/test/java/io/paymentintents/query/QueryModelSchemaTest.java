package io.paymentintents.query;

import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The tables the query side's migrations create, as PostgreSQL reports them. */
class QueryModelSchemaTest {

    private static List<String> columnsOf(String table) {
        return QueryDatabase.jdbc().query("""
                        SELECT column_name, data_type, character_maximum_length, is_nullable
                        FROM information_schema.columns
                        WHERE table_schema = current_schema() AND table_name = ?
                        ORDER BY ordinal_position""",
                (rs, row) -> {
                    Object length = rs.getObject("character_maximum_length");
                    return rs.getString("column_name") + " " + rs.getString("data_type")
                            + (length == null ? "" : "(" + length + ")")
                            + ("YES".equals(rs.getString("is_nullable")) ? " null" : " not null");
                }, table);
    }

    private static List<String> primaryKeyOf(String table) {
        return QueryDatabase.jdbc().queryForList("""
                SELECT k.column_name
                FROM information_schema.table_constraints c
                JOIN information_schema.key_column_usage k
                  ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema
                WHERE c.table_schema = current_schema() AND c.table_name = ? AND c.constraint_type = 'PRIMARY KEY'
                ORDER BY k.ordinal_position""", String.class, table);
    }

    @Test
    void paymentIntentsHasTheExpectedColumnsTypesAndNullability() {
        assertThat(columnsOf("payment_intents")).containsExactly(
                "id character varying(255) not null",
                "account_id character varying(64) not null",
                "version bigint not null",
                "status character varying(32) not null",
                "amount bigint not null",
                "currency character varying(3) not null",
                "amount_capturable bigint not null",
                "amount_received bigint not null",
                "customer character varying(5000) null",
                "description text null",
                "payment_method character varying(255) null",
                "payment_method_types jsonb not null",
                "capture_method character varying(16) not null",
                "confirmation_method character varying(16) not null",
                "return_url text null",
                "metadata jsonb not null",
                "charges jsonb not null",
                "last_payment_error jsonb null",
                "cancellation_reason character varying(32) null",
                "canceled_at timestamp with time zone null",
                "created bigint not null",
                "created_at timestamp with time zone not null",
                "updated_at timestamp with time zone not null",
                "metadata_lower jsonb null");
        assertThat(primaryKeyOf("payment_intents")).containsExactly("id");
    }

    @Test
    void paymentIntentsDefaultsToNoMoneyNoMetadataAndNoCharges() {
        List<Map<String, Object>> defaults = QueryDatabase.jdbc().queryForList("""
                SELECT column_name, column_default FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = 'payment_intents'
                  AND column_default IS NOT NULL ORDER BY column_name""");

        assertThat(defaults).extracting(row -> row.get("column_name") + " = " + row.get("column_default"))
                .containsExactly(
                        "amount_capturable = 0",
                        "amount_received = 0",
                        "charges = '[]'::jsonb",
                        "metadata = '{}'::jsonb");
    }

    @Test
    void everyListOrderIsServedByAnIndexOnCreatedAndIdDescending() {
        List<String> indexes = QueryDatabase.jdbc().queryForList("""
                SELECT indexdef FROM pg_indexes
                WHERE schemaname = current_schema() AND tablename = 'payment_intents' ORDER BY indexname""",
                String.class);

        assertThat(indexes).containsExactly(
                "CREATE INDEX payment_intents_account_created ON public.payment_intents"
                        + " USING btree (account_id, created DESC, id DESC)",
                "CREATE INDEX payment_intents_account_customer_created ON public.payment_intents"
                        + " USING btree (account_id, customer, created DESC, id DESC)",
                "CREATE INDEX payment_intents_account_customer_lower_created ON public.payment_intents"
                        + " USING btree (account_id, lower((customer)::text), created DESC, id DESC)",
                "CREATE INDEX payment_intents_account_status_created ON public.payment_intents"
                        + " USING btree (account_id, status, created DESC, id DESC)",
                "CREATE INDEX payment_intents_metadata_lower ON public.payment_intents"
                        + " USING gin (metadata_lower jsonb_path_ops)",
                "CREATE UNIQUE INDEX payment_intents_pkey ON public.payment_intents USING btree (id)");
    }

    @Test
    void tokenEntryHasAxonsColumnsWithTheTokenAsBytea() {
        assertThat(columnsOf("token_entry")).containsExactly(
                "processor_name character varying(255) not null",
                "segment integer not null",
                "token bytea null",
                "token_type character varying(255) null",
                "time_stamp character varying(255) null",
                "owner character varying(255) null");
        assertThat(primaryKeyOf("token_entry")).containsExactly("processor_name", "segment");
    }

    @Test
    void everyMigrationIsRecordedInTheQuerySidesOwnHistoryTable() {
        List<String> applied = QueryDatabase.jdbc().queryForList(
                "SELECT version || ' ' || success FROM flyway_history_query WHERE version IS NOT NULL"
                        + " ORDER BY installed_rank", String.class);

        assertThat(applied).containsExactly("1 true", "2 true", "3 true", "4 true", "5 true", "6 true");
    }

    @Test
    void theEventsReadModelIsKeyedByEventIdAndOnceByIntentAndSequence() {
        assertThat(primaryKeyOf("stripe_events")).containsExactly("id");
        assertThat(primaryKeyOf("stripe_event_intents")).containsExactly("id");
        assertThat(QueryDatabase.jdbc().queryForList("SELECT indexdef FROM pg_indexes WHERE tablename = "
                + "'stripe_events' ORDER BY indexname", String.class)).containsExactly(
                "CREATE INDEX stripe_events_account_position ON public.stripe_events"
                        + " USING btree (account_id, \"position\" DESC)",
                "CREATE INDEX stripe_events_account_type_position ON public.stripe_events"
                        + " USING btree (account_id, type, \"position\" DESC)",
                "CREATE UNIQUE INDEX stripe_events_intent_sequence ON public.stripe_events"
                        + " USING btree (payment_intent_id, sequence)",
                "CREATE UNIQUE INDEX stripe_events_pkey ON public.stripe_events USING btree (id)");
    }

    @Test
    void axonsJdbcTokenStoreClaimsAndStoresTokensInTokenEntry() {
        DataSource dataSource = QueryDatabase.dataSource();
        String processor = "schema-test-" + System.nanoTime();
        JdbcTokenStore tokenStore = JdbcTokenStore.builder()
                .connectionProvider(dataSource::getConnection)
                .serializer(JacksonSerializer.defaultSerializer())
                .schema(new QuerySideConfiguration().tokenSchema())
                .nodeId("node-under-test")
                .build();

        tokenStore.initializeTokenSegments(processor, 2);
        assertThat(tokenStore.fetchToken(processor, 1)).isNull();
        tokenStore.storeToken(new GlobalSequenceTrackingToken(41), processor, 1);

        assertThat(tokenStore.fetchToken(processor, 1)).isEqualTo(new GlobalSequenceTrackingToken(41));
        assertThat(tokenStore.fetchSegments(processor)).containsExactly(0, 1);
        Map<String, Object> row = QueryDatabase.jdbc().queryForMap(
                "SELECT token, token_type, owner FROM token_entry WHERE processor_name = ? AND segment = 1",
                processor);
        assertThat(row.get("token")).isInstanceOf(byte[].class);
        assertThat(row.get("token_type")).isEqualTo(GlobalSequenceTrackingToken.class.getName());
        assertThat(row.get("owner")).isEqualTo("node-under-test");

        tokenStore.releaseClaim(processor, 1);
        tokenStore.releaseClaim(processor, 0);
        QueryDatabase.jdbc().update("DELETE FROM token_entry WHERE processor_name = ?", processor);
    }
}
