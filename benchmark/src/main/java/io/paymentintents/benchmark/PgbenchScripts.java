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
 * <p>The statements, as PostgreSQL's statement log shows them for one request at low load ({@code statements.txt}
 * of a run; docs/benchmarks.md), in the service's transactions:
 * <ol>
 * <li>claim the Idempotency-Key ({@code INSERT ... ON CONFLICT DO NOTHING}, autocommit);</li>
 * <li>the command: append the event; for a confirm, first check the cached intent against the store (its last
 * sequence number), or, for builds before the aggregate cache ({@code --aggregate-reads=true}), load the intent
 * instead (snapshot, then its events, read until a batch comes back short);</li>
 * <li>the event store's reader, woken by the append: the new events by global index, and the check for a gap;</li>
 * <li>the subscription query's initial read of the intent;</li>
 * <li>the projection batch: store the token, write the read model (a confirm also indexes its charge), read the row
 * back for the waiting request;</li>
 * <li>the stripe-events projection's batch: store its token, read and store the intent's fold state, write the
 * event;</li>
 * <li>the webhooks processor's batch: store its token, look up the account's endpoints for the event type;</li>
 * <li>store the response under the Idempotency-Key (autocommit).</li>
 * </ol>
 * At low load the reader may run two or three times per event (here: once); under load one read and one projection
 * transaction serve a batch of events. Not included: what the service does on a timer or when idle (the deadline
 * scheduler's poll; the processor extends its claim on the token after 1 s without events), and the API key lookup
 * (cached for 2 s).
 *
 * <p>Shapes: {@code transactional} (the default) groups statements into the service's transactions for one request
 * served alone, Axon's units of work in Spring transactions; {@code autocommit} runs every statement as its own
 * transaction, as the service did while Axon had no transaction manager (docs/benchmarks.md, fix 1);
 * {@code batched-bound} puts the projection's writes into the command's transaction and leaves the token update out:
 * the projection as if its batches were infinitely large, an upper bound for what batching can save.
 */
final class PgbenchScripts {

    private PgbenchScripts() {
    }

    /**
     * Statements the service sends in one transaction; {@code unitOfWork}: one of Axon's (BEGIN ... COMMIT);
     * {@code projection}: the projection batch's (its first statement stores the token).
     */
    private record Group(boolean unitOfWork, boolean projection, List<String> statements) {
        static Group plain(String statement) {
            return new Group(false, false, List.of(statement));
        }

        static Group axon(String... statements) {
            return new Group(true, false, List.of(statements));
        }

        static Group projection(String... statements) {
            return new Group(true, true, List.of(statements));
        }
    }

    enum Shape { AUTOCOMMIT, TRANSACTIONAL, BATCHED_BOUND }

    private record Samples(byte[] createdPayload, byte[] createdMeta, byte[] succeededPayload, byte[] succeededMeta,
                           String createBody, String confirmBody, String charge, String metadata,
                           String createdEvent, String succeededEvent, String succeededPrevious) {
    }

    static void main(Args args) throws Exception {
        Path out = Path.of(args.required("out"));
        Files.createDirectories(out);
        Shape shape = Shape.valueOf(args.string("shape", "transactional").toUpperCase().replace('-', '_'));
        Samples samples;
        try (Connection connection = DriverManager.getConnection(args.required("jdbc"),
                args.string("db-user", "bench"), args.string("db-password", "bench"))) {
            samples = samples(connection);
        }
        List<Group> create = create(samples);
        // the service keeps intents in memory (payments.aggregate-cache): a confirm right after its create does not
        // read the stream back; --aggregate-reads=true for a build without that cache
        List<Group> confirm = confirm(samples, args.flag("aggregate-reads"));
        List<Group> pair = new ArrayList<>(create);
        pair.addAll(confirm);
        write(out.resolve("create.sql"), "one keyed create", create, shape);
        write(out.resolve("pair.sql"), "one keyed create, then a keyed confirm of it", pair, shape);
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
            String createdEvent = one(s, "SELECT object FROM stripe_events WHERE type = 'payment_intent.created' "
                    + "ORDER BY position DESC LIMIT 1");
            String succeededEvent = one(s, "SELECT object FROM stripe_events WHERE type = "
                    + "'payment_intent.succeeded' ORDER BY position DESC LIMIT 1");
            String succeededPrevious = one(s, "SELECT previous FROM stripe_events WHERE type = "
                    + "'payment_intent.succeeded' ORDER BY position DESC LIMIT 1");
            return new Samples(created[0], created[1], succeeded[0], succeeded[1], createBody, confirmBody, charge,
                    metadata, createdEvent, succeededEvent, succeededPrevious);
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

    /** The event store's reader: new events by global index, then the check for a gap after them. */
    private static Group reader() {
        return Group.axon("SELECT " + EVENT_COLUMNS + " FROM domain_event_entry WHERE (global_index > :gi - 1 AND "
                        + "global_index <= :gi + 99) ORDER BY global_index ASC;",
                "SELECT min(global_index) FROM domain_event_entry WHERE global_index > :gi;");
    }

    /**
     * The processors that handle every event, each in its own transaction that also stores its token. The token row
     * is one of 4 per processor, chosen by the intent, as the service's payment-intents processor has 4 segments. The
     * service's stripe-events and webhooks processors have one segment each, but under load one of their
     * transactions serves a whole batch of events; pgbench's transactions serve one event each and cannot share a
     * commit, so one row would queue every client behind one lock and understate the ceiling.
     */
    static final List<String> PROCESSORS = List.of("payment-intents", "stripe-events", "webhooks");
    static final int SEGMENTS = 4;

    private static String storeToken(String processor) {
        return "UPDATE token_entry SET token = convert_to('{\"index\"' || chr(58) "
                + "|| :gi || ',\"gaps\"' || chr(58) || '[]}', 'UTF8'), token_type = "
                + "'org.axonframework.eventhandling.GapAwareTrackingToken', time_stamp = '2026-11-22T08:31:06.620Z' "
                + "WHERE owner = 'pgbench@ceiling' AND processor_name = 'pgbench-" + processor + "' AND segment = "
                + ":segment;";
    }

    /** The stripe-events projection: the fold state of the intent read, stored, and the event written. */
    private static Group stripeEvents(int sequence, String type, String object, String previous) {
        return Group.projection(storeToken("stripe-events"),
                "SELECT view FROM stripe_event_intents WHERE id = 'pi_pgb' || :n;",
                "INSERT INTO stripe_event_intents (id, version, view) VALUES ('pi_pgb' || :n, " + sequence + ", "
                        + "CAST(" + object + " AS jsonb)) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, "
                        + "view = EXCLUDED.view WHERE stripe_event_intents.version < EXCLUDED.version;",
                "INSERT INTO stripe_events (id, account_id, type, created, position, payment_intent_id, sequence, "
                        + "object, previous, request_id, idempotency_key) VALUES ('evt_pgb' || :n || '_" + sequence
                        + "', 'acct_default', '" + type + "', extract(epoch FROM now())::bigint, :gi, 'pi_pgb' || :n, "
                        + sequence + ", CAST(" + object + " AS jsonb), " + (previous == null ? "NULL" : "CAST("
                        + previous + " AS jsonb)") + ", 'req_pgb' || :n, 'pgb-' || :n) ON CONFLICT DO NOTHING;");
    }

    /** The webhooks outbox processor: the account's endpoints for this event type (none in the benchmark). */
    private static Group webhooks(String type) {
        return Group.projection(storeToken("webhooks"),
                "SELECT id FROM webhook_endpoints WHERE account_id = 'acct_default' AND status = 'enabled' AND "
                        + "created_at <= now() AND (enabled_events @> jsonb_build_array('" + type + "'::text) OR "
                        + "enabled_events @> '[\"*\"]'::jsonb);");
    }
    private static final String READ_BACK = "SELECT * FROM payment_intents WHERE id = 'pi_pgb' || :n;";
    private static final String INITIAL_READ = "SELECT * FROM payment_intents WHERE id = 'pi_pgb' || :n "
            + "AND account_id = 'acct_default';";

    private static List<Group> create(Samples s) {
        List<Group> groups = new ArrayList<>();
        groups.add(new Group(false, false, List.of("\\set n random(1, 9000000000000000000)",
                "\\set segment :n % " + SEGMENTS,
                "\\set amount random(500, 100000)", "\\set customer random(0, 999)")));
        groups.add(Group.plain(claimKey("'POST /v1/payment_intents'", "create")));
        groups.add(Group.axon(appendEvent(0, "PaymentIntentCreated", s.createdPayload, s.createdMeta)));
        groups.add(reader());
        groups.add(Group.axon(INITIAL_READ));
        groups.add(Group.projection(storeToken("payment-intents"),
                "INSERT INTO payment_intents (id, account_id, version, status, amount, currency, customer, "
                        + "description, payment_method, payment_method_types, capture_method, confirmation_method, "
                        + "return_url, metadata, created, created_at, updated_at) VALUES ('pi_pgb' || :n, "
                        + "'acct_default', 0, 'requires_confirmation', :amount, 'usd', 'cus_bench' || :customer, "
                        + "'Order ' || :n, 'pm_card_visa', CAST('[\"card\"]' AS jsonb), 'automatic', 'automatic', "
                        + "NULL, CAST(" + text(s.metadata) + " AS jsonb), extract(epoch FROM now())::bigint, now(), "
                        + "now()) ON CONFLICT (id) DO NOTHING;",
                READ_BACK));
        groups.add(stripeEvents(0, "payment_intent.created", text(s.createdEvent), null));
        groups.add(webhooks("payment_intent.created"));
        groups.add(Group.plain("UPDATE idempotency_keys SET state = 'complete', response_status = 200, "
                + "response_body = " + text(s.createBody) + " WHERE account_id = 'acct_default' AND "
                + "idempotency_key = 'pgb-create-' || :n;"));
        return groups;
    }

    private static List<Group> confirm(Samples s, boolean aggregateReads) {
        String endpoint = "'POST /v1/payment_intents/pi_pgb' || :n || '/confirm'";
        String charge = text(s.charge);
        List<Group> groups = new ArrayList<>();
        groups.add(Group.plain(claimKey(endpoint, "confirm")));
        List<String> command = new ArrayList<>();
        if (aggregateReads) {
            command.add("SELECT event_identifier, aggregate_identifier, sequence_number, type, time_stamp, "
                    + "payload_type, payload_revision, payload, meta_data FROM snapshot_event_entry WHERE "
                    + "aggregate_identifier = 'pi_pgb' || :n ORDER BY sequence_number DESC;");
            command.add("SELECT " + EVENT_COLUMNS + " FROM domain_event_entry WHERE aggregate_identifier = 'pi_pgb' "
                    + "|| :n AND sequence_number >= 0 AND sequence_number < 100 ORDER BY sequence_number ASC;");
            command.add("SELECT " + EVENT_COLUMNS + " FROM domain_event_entry WHERE aggregate_identifier = 'pi_pgb' "
                    + "|| :n AND sequence_number >= 1 AND sequence_number < 101 ORDER BY sequence_number ASC;");
        } else {
            // the cached intent is checked against the store (ValidatedAggregateCache)
            command.add("SELECT max(sequence_number) FROM domain_event_entry WHERE aggregate_identifier = 'pi_pgb' "
                    + "|| :n;");
        }
        command.add(appendEvent(1, "PaymentIntentSucceeded", s.succeededPayload, s.succeededMeta));
        groups.add(new Group(true, false, List.copyOf(command)));
        groups.add(reader());
        groups.add(Group.axon(INITIAL_READ));
        groups.add(Group.projection(storeToken("payment-intents"),
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
                READ_BACK));
        groups.add(stripeEvents(1, "payment_intent.succeeded", text(s.succeededEvent), text(s.succeededPrevious)));
        groups.add(webhooks("payment_intent.succeeded"));
        groups.add(Group.plain("UPDATE idempotency_keys SET state = 'complete', response_status = 200, "
                + "response_body = " + text(s.confirmBody) + " WHERE account_id = 'acct_default' AND "
                + "idempotency_key = 'pgb-confirm-' || :n;"));
        return groups;
    }

    private static void write(Path file, String what, List<Group> groups, Shape shape) throws Exception {
        StringBuilder script = new StringBuilder("-- generated by Bench pgbench-scripts: " + what + "; shape "
                + shape.name().toLowerCase().replace('_', '-') + "\n");
        List<Group> ordered = new ArrayList<>(groups);
        if (shape == Shape.BATCHED_BOUND) {
            // the projection's writes join the command's transaction, and the token is not stored at all: what the
            // projection would cost with batches so large that their own commit and token update vanish per event
            ordered.clear();
            List<String> pendingCommand = null;
            for (Group group : groups) {
                if (group.projection()) {
                    pendingCommand.addAll(group.statements().subList(1, group.statements().size()));
                } else if (group.unitOfWork() && group.statements().stream().anyMatch(st -> st.startsWith("INSERT "
                        + "INTO domain_event_entry"))) {
                    pendingCommand = new ArrayList<>(group.statements());
                    ordered.add(new Group(true, false, pendingCommand));
                } else {
                    ordered.add(group);
                }
            }
        }
        for (Group group : ordered) {
            boolean wrap = shape != Shape.AUTOCOMMIT && group.unitOfWork();
            if (wrap) {
                script.append("BEGIN;\n");
            }
            for (String statement : group.statements()) {
                script.append(statement).append('\n');
            }
            if (wrap) {
                script.append("COMMIT;\n");
            }
        }
        Files.writeString(file, script.toString());
    }
}
