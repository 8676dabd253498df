package io.paymentintents.benchmark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code pgbench-scripts}: pgbench scripts that make PostgreSQL do what one keyed create, and one keyed create plus
 * its confirm, make it do through the service: every statement the service sends for them, in the same
 * transactions, with payloads of the same size (copied from the service's own tables after its load run). One
 * pgbench "transaction" is one create ({@code create.sql}) or one pair ({@code pair.sql}), so pgbench's tps is
 * creates/s or pairs/s.
 *
 * <p>The statements, as PostgreSQL's statement log shows them for one request at low load (see docs/benchmarks.md):
 * <ol>
 * <li>claim the Idempotency-Key ({@code INSERT ... ON CONFLICT DO NOTHING});</li>
 * <li>the subscription query's initial read of the intent;</li>
 * <li>the command: for a confirm, load the aggregate (snapshot, then its events, read until a batch comes back
 * short); append the event;</li>
 * <li>the event store's reader, woken by the append: read the new events by global index, and look for gaps;</li>
 * <li>the projection, one batch: lock and extend the token claim, write the read model (a confirm also indexes its
 * charge), read the row back for the waiting request, store the token;</li>
 * <li>store the response under the Idempotency-Key.</li>
 * </ol>
 * Not included: what the service does on a timer whether or not requests come (the deadline scheduler's poll, the
 * processor's idle claim extension), and the API key lookup (cached for 2 s).
 *
 * <p>{@code --shape=transactional} groups statements into the transactions of the service when Axon runs its units of
 * work in Spring transactions (command, projection batch); {@code --shape=autocommit} runs every statement as its
 * own transaction, as the service did while Axon had no transaction manager (docs/benchmarks.md, fix 1).
 */
final class PgbenchScripts {

    private PgbenchScripts() {
    }

    private record Samples(byte[] createdPayload, byte[] createdMeta, byte[] succeededPayload, byte[] succeededMeta,
                           String createBody, String confirmBody, String charge, String metadata) {
    }

    static void main(Args args) throws Exception {
        Path out = Path.of(args.required("out"));
        Files.createDirectories(out);
        boolean transactional = !"autocommit".equals(args.string("shape", "transactional"));
        Samples samples;
        try (Connection connection = DriverManager.getConnection(args.required("jdbc"),
                args.string("db-user", "bench"), args.string("db-password", "bench"))) {
            samples = samples(connection);
        }
        List<List<String>> create = create(samples);
        List<List<String>> confirm = confirm(samples);
        List<List<String>> pair = new ArrayList<>(create);
        pair.addAll(confirm);
        write(out.resolve("create.sql"), "one keyed create", create, transactional);
        write(out.resolve("pair.sql"), "one keyed create, then a keyed confirm of it", pair, transactional);
        System.out.printf("payload sizes (bytes): created %d + metadata %d, succeeded %d + metadata %d, "
                        + "stored responses %d (create) and %d (confirm)%n", samples.createdPayload.length,
                samples.createdMeta.length, samples.succeededPayload.length, samples.succeededMeta.length,
                samples.createBody.length(), samples.confirmBody.length());
    }

    private static Samples samples(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            byte[][] created = event(s, "PaymentIntentCreated");
            byte[][] succeeded = event(s, "PaymentIntentSucceeded");
            String createBody = one(s, "SELECT response_body FROM idempotency_keys WHERE state = 'complete' AND "
                    + "endpoint = 'POST /v1/payment_intents' AND response_status = 200 ORDER BY created_at DESC LIMIT 1");
            String confirmBody = one(s, "SELECT response_body FROM idempotency_keys WHERE state = 'complete' AND "
                    + "endpoint LIKE '%/confirm' AND response_status = 200 ORDER BY created_at DESC LIMIT 1");
            String charge = one(s, "SELECT charges -> 0 FROM payment_intents WHERE status = 'succeeded' "
                    + "ORDER BY created DESC LIMIT 1");
            String metadata = one(s, "SELECT metadata FROM payment_intents ORDER BY created DESC LIMIT 1");
            return new Samples(created[0], created[1], succeeded[0], succeeded[1], createBody, confirmBody, charge,
                    metadata);
        }
    }

    private static byte[][] event(Statement s, String type) throws SQLException {
        try (ResultSet rows = s.executeQuery("SELECT payload, meta_data FROM domain_event_entry WHERE payload_type = "
                + "'io.paymentintents.api.event." + type + "' ORDER BY global_index DESC LIMIT 1")) {
            if (!rows.next()) {
                throw new IllegalStateException("no " + type + " in the event store: run the load first");
            }
            return new byte[][]{rows.getBytes(1), rows.getBytes(2)};
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rows = s.executeQuery(sql)) {
            if (!rows.next() || rows.getString(1) == null) {
                throw new IllegalStateException("nothing for " + sql + ": run the load first");
            }
            return rows.getString(1);
        }
    }

    /** A literal of {@code bytes} without any character pgbench could take for a variable. */
    private static String bytea(byte[] bytes) {
        return "'\\x" + HexFormat.of().formatHex(bytes) + "'::bytea";
    }

    private static String text(String value) {
        return "convert_from(" + bytea(value.getBytes(StandardCharsets.UTF_8)) + ", 'UTF8')";
    }

    private static final String EVENT_COLUMNS = "global_index, event_identifier, aggregate_identifier, "
            + "sequence_number, type, time_stamp, payload_type, payload_revision, payload, meta_data";

    private static String claimKey(String endpoint, String tag) {
        return "INSERT INTO idempotency_keys (account_id, idempotency_key, endpoint, request_hash, state, created_at, "
                + "claimed_at) VALUES ('acct_default', 'pgb-" + tag + "-' || :n, " + endpoint
                + ", '0eabd9c93b18b8b326ecd6634aa134120683bfab3a273d10b244320438a3760e', 'in_progress', now(), now()) "
                + "ON CONFLICT (account_id, idempotency_key) DO NOTHING;";
    }

    private static String appendEvent(int sequence, String type, byte[] payload, byte[] meta) {
        return "INSERT INTO domain_event_entry (event_identifier, aggregate_identifier, sequence_number, type, "
                + "time_stamp, payload_type, payload_revision, payload, meta_data) VALUES (gen_random_uuid()::text, "
                + "'pi_pgb' || :n, " + sequence + ", 'PaymentIntent', '2026-11-22T08:31:06.130Z', "
                + "'io.paymentintents.api.event." + type + "', '1', " + bytea(payload) + ", " + bytea(meta)
                + ") RETURNING global_index AS gi \\gset";
    }

    private static List<String> reader() {
        return List.of("SELECT " + EVENT_COLUMNS + " FROM domain_event_entry WHERE (global_index > :gi - 1 AND "
                        + "global_index <= :gi + 99) ORDER BY global_index ASC;",
                "SELECT min(global_index) FROM domain_event_entry WHERE global_index > :gi;");
    }

    private static final String LOCK_TOKEN = "SELECT processor_name, segment, token, token_type, time_stamp, owner "
            + "FROM token_entry WHERE processor_name = 'pgbench-ceiling' AND segment = 0 FOR UPDATE;";
    private static final String EXTEND_CLAIM = "UPDATE token_entry SET owner = 'pgbench@ceiling', time_stamp = "
            + "'2026-11-22T08:31:03.660Z' WHERE processor_name = 'pgbench-ceiling' AND segment = 0;";
    private static final String STORE_TOKEN = "UPDATE token_entry SET token = convert_to('{\"index\"' || chr(58) "
            + "|| :gi || ',\"gaps\"' || chr(58) || '[]}', 'UTF8'), token_type = "
            + "'org.axonframework.eventhandling.GapAwareTrackingToken', time_stamp = '2026-11-22T08:31:06.620Z' "
            + "WHERE owner = 'pgbench@ceiling' AND processor_name = 'pgbench-ceiling' AND segment = 0;";
    private static final String READ_BACK = "SELECT * FROM payment_intents WHERE id = 'pi_pgb' || :n;";
    private static final String INITIAL_READ = "SELECT * FROM payment_intents WHERE id = 'pi_pgb' || :n "
            + "AND account_id = 'acct_default';";

    private static List<List<String>> create(Samples s) {
        List<List<String>> transactions = new ArrayList<>();
        transactions.add(List.of("\\set n random(1, 9000000000000000000)", "\\set amount random(500, 100000)", "\\set customer random(0, 999)"));
        transactions.add(List.of(claimKey("'POST /v1/payment_intents'", "create")));
        transactions.add(List.of(INITIAL_READ));
        transactions.add(List.of(appendEvent(0, "PaymentIntentCreated", s.createdPayload, s.createdMeta)));
        for (String read : reader()) {
            transactions.add(List.of(read));
        }
        transactions.add(List.of(LOCK_TOKEN, EXTEND_CLAIM,
                "INSERT INTO payment_intents (id, account_id, version, status, amount, currency, customer, "
                        + "description, payment_method, payment_method_types, capture_method, confirmation_method, "
                        + "return_url, metadata, created, created_at, updated_at) VALUES ('pi_pgb' || :n, "
                        + "'acct_default', 0, 'requires_confirmation', :amount, 'usd', 'cus_bench' || :customer, "
                        + "'Order ' || :n, 'pm_card_visa', CAST('[\"card\"]' AS jsonb), 'automatic', 'automatic', "
                        + "NULL, CAST(" + text(s.metadata) + " AS jsonb), extract(epoch FROM now())::bigint, now(), "
                        + "now()) ON CONFLICT (id) DO NOTHING;",
                READ_BACK, STORE_TOKEN));
        transactions.add(List.of("UPDATE idempotency_keys SET state = 'complete', response_status = 200, "
                + "response_body = " + text(s.createBody) + " WHERE account_id = 'acct_default' AND "
                + "idempotency_key = 'pgb-create-' || :n;"));
        return transactions;
    }

    private static List<List<String>> confirm(Samples s) {
        String endpoint = "'POST /v1/payment_intents/pi_pgb' || :n || '/confirm'";
        String charge = text(s.charge);
        List<List<String>> transactions = new ArrayList<>();
        transactions.add(List.of(claimKey(endpoint, "confirm")));
        transactions.add(List.of(INITIAL_READ));
        transactions.add(List.of(
                "SELECT event_identifier, aggregate_identifier, sequence_number, type, time_stamp, payload_type, "
                        + "payload_revision, payload, meta_data FROM snapshot_event_entry WHERE aggregate_identifier "
                        + "= 'pi_pgb' || :n ORDER BY sequence_number DESC;",
                "SELECT " + EVENT_COLUMNS + " FROM domain_event_entry WHERE aggregate_identifier = 'pi_pgb' || :n "
                        + "AND sequence_number >= 0 AND sequence_number < 100 ORDER BY sequence_number ASC;",
                "SELECT " + EVENT_COLUMNS + " FROM domain_event_entry WHERE aggregate_identifier = 'pi_pgb' || :n "
                        + "AND sequence_number >= 1 AND sequence_number < 101 ORDER BY sequence_number ASC;",
                appendEvent(1, "PaymentIntentSucceeded", s.succeededPayload, s.succeededMeta)));
        for (String read : reader()) {
            transactions.add(List.of(read));
        }
        transactions.add(List.of(LOCK_TOKEN, EXTEND_CLAIM,
                "INSERT INTO payment_intent_charges (charge_id, payment_intent_id, account_id) SELECT 'ch_pgb' || :n, "
                        + "id, account_id FROM payment_intents WHERE id = 'pi_pgb' || :n AND version < 1 "
                        + "ON CONFLICT (charge_id) DO NOTHING;",
                "UPDATE payment_intents SET payment_method = 'pm_card_visa', amount_received = :amount, "
                        + "amount_capturable = 0, last_payment_error = NULL, charges = CASE WHEN "
                        + "jsonb_path_exists(charges, '$[*] ? (@.id == $id)', jsonb_build_object('id', "
                        + "CAST('ch_pgb' || :n AS text))) THEN (SELECT jsonb_agg(CASE WHEN c ->> 'id' = 'ch_pgb' || :n "
                        + "THEN CAST(" + charge + " AS jsonb) ELSE c END ORDER BY position) FROM "
                        + "jsonb_array_elements(charges) WITH ORDINALITY AS attempts(c, position)) ELSE charges || "
                        + "jsonb_build_array(CAST(" + charge + " AS jsonb)) END, version = 1, status = 'succeeded', "
                        + "updated_at = now() WHERE id = 'pi_pgb' || :n AND version < 1;",
                READ_BACK, STORE_TOKEN));
        transactions.add(List.of("UPDATE idempotency_keys SET state = 'complete', response_status = 200, "
                + "response_body = " + text(s.confirmBody) + " WHERE account_id = 'acct_default' AND "
                + "idempotency_key = 'pgb-confirm-' || :n;"));
        return transactions;
    }

    private static void write(Path file, String what, List<List<String>> transactions, boolean transactional)
            throws Exception {
        StringBuilder script = new StringBuilder("-- generated by Bench pgbench-scripts: " + what + "; shape "
                + (transactional ? "transactional" : "autocommit") + "\n");
        for (List<String> transaction : transactions) {
            boolean meta = transaction.get(0).startsWith("\\");
            boolean wrap = transactional && !meta && transaction.size() > 1;
            if (wrap) {
                script.append("BEGIN;\n");
            }
            for (String statement : transaction) {
                script.append(statement).append('\n');
            }
            if (wrap) {
                script.append("COMMIT;\n");
            }
        }
        Files.writeString(file, script.toString());
    }
}
