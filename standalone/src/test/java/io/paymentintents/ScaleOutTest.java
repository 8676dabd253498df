package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.axonframework.eventhandling.Segment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three identical nodes, real processes on loopback ports, on one PostgreSQL, behind a client that spreads every
 * request over them as a round-robin load balancer would. Concurrent traffic runs through all three: creates,
 * confirms, manual captures, reads on another node than the write, one Idempotency-Key sent to two nodes at once,
 * and confirm racing cancel on one intent through two nodes. Mid-traffic one node that holds projection segments is
 * killed (no shutdown at all); traffic goes on through the other two. Then the event store, the read model and
 * every recorded answer are compared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaleOutTest {

    private static final String PROCESSOR = "payment-intents";
    private static final int JOURNEYS_BEFORE_KILL = 30;
    private static final int JOURNEYS_AFTER_KILL = 30;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private ServiceCluster cluster;
    private final Set<Integer> alive = ConcurrentHashMap.newKeySet();
    private final AtomicInteger roundRobin = new AtomicInteger();
    /** The node that acknowledged this client thread's latest create. */
    private final ThreadLocal<ServiceProcess> lastWriter = new ThreadLocal<>();
    private final AtomicBoolean killed = new AtomicBoolean();

    /** Idempotency-Key of every create sent → the id of the intent if some node acknowledged it (200). */
    private final Map<String, String> creates = new ConcurrentHashMap<>();
    private final Set<String> sentCreateKeys = ConcurrentHashMap.newKeySet();
    private final Set<String> createdAfterKill = ConcurrentHashMap.newKeySet();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger crossNodeReads = new AtomicInteger();
    private final AtomicInteger unacknowledged = new AtomicInteger();
    private final AtomicInteger notYetReadable = new AtomicInteger();
    private final List<SharedKey> sharedKeys = new CopyOnWriteArrayList<>();
    private final List<Race> races = new CopyOnWriteArrayList<>();
    private final ExecutorService sideRequests = Executors.newCachedThreadPool();

    private Map<Integer, String> ownersAtKill;
    private String deadOwner;
    private volatile ServiceProcess deadNode;
    private volatile Duration takeover;

    record SharedKey(String key, int firstStatus, String firstId, int secondStatus, String secondId) {
    }

    record Race(String id, int confirmStatus, int cancelStatus) {
    }

    @BeforeAll
    void runTrafficThroughThreeNodesAndKillOne() throws Exception {
        long start = System.nanoTime();
        cluster = ServiceCluster.start(3, List.of("-XX:TieredStopAtLevel=1", "-Xmx512m"), List.of(),
                Duration.ofSeconds(150));
        alive.addAll(List.of(0, 1, 2));
        long started = System.nanoTime();
        await("every node holds a segment of " + PROCESSOR, () -> new HashSet<>(owners().values()).size() == 3
                && owners().size() == segmentCount());
        long spread = System.nanoTime();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger journeys = new AtomicInteger();
        int clients = 6;
        ExecutorService traffic = Executors.newFixedThreadPool(clients);
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            workers.add(traffic.submit(() -> {
                for (int n = client; !stop.get(); n += clients) {
                    journey(n);
                    journeys.incrementAndGet();
                }
                return null;
            }));
        }
        try {
            await(JOURNEYS_BEFORE_KILL + " journeys", () -> journeys.get() >= JOURNEYS_BEFORE_KILL);
            killNodeHoldingTheMostSegments();
            long killedAt = System.nanoTime();
            int atKill = journeys.get();
            await(JOURNEYS_AFTER_KILL + " journeys after the kill and the takeover", () -> {
                if (takeover == null && !owners().containsValue(deadOwner) && owners().size() == segmentCount()) {
                    takeover = Duration.ofNanos(System.nanoTime() - killedAt);
                }
                return journeys.get() >= atKill + JOURNEYS_AFTER_KILL && takeover != null;
            });
        } finally {
            stop.set(true);
            for (Future<?> worker : workers) {
                worker.get();
            }
            traffic.shutdown();
        }
        await("the read model to catch up with the event store", () -> lagging().isEmpty());
        System.out.printf("ScaleOutTest: 3 nodes healthy after %d s, segments spread after %d s more; %d journeys, "
                        + "%d creates acknowledged, %d cross-node reads, %d requests cut off by the kill, %d answered "
                        + "500 (applied, not yet readable); the dead node's segments taken over %d ms after the kill; "
                        + "%d s in all%n", Duration.ofNanos(started - start).toSeconds(),
                Duration.ofNanos(spread - started).toSeconds(), journeys.get(), creates.size(), crossNodeReads.get(),
                unacknowledged.get(), notYetReadable.get(), takeover.toMillis(),
                Duration.ofNanos(System.nanoTime() - start).toSeconds());
    }

    @AfterAll
    void stopEverything() throws Exception {
        sideRequests.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyAcknowledgedCreateIsInTheEventStoreExactlyOnce() throws Exception {
        Map<String, List<String>> stored = createdEventsByIdempotencyKey();
        Map<String, String> acknowledged = new HashMap<>(creates);
        assertThat(acknowledged).as("creates acknowledged").hasSizeGreaterThan(JOURNEYS_BEFORE_KILL);
        acknowledged.forEach((key, id) -> assertThat(stored.get(key)).as("PaymentIntentCreated for key %s", key)
                .containsExactly(id));
        assertThat(stored).allSatisfy((key, ids) -> assertThat(ids).as("creates for key %s", key).hasSize(1));
        assertThat(stored.keySet()).as("nothing was created that no client sent").isSubsetOf(sentCreateKeys);
    }

    @Test
    void noIntentIsPaidTwiceOrBothPaidAndCanceled() throws Exception {
        Map<String, List<String>> events = eventsByIntent();
        assertThat(events).allSatisfy((id, types) -> {
            long paid = types.stream().filter(t -> t.equals("PaymentIntentSucceeded")
                    || t.equals("PaymentIntentCaptured")).count();
            assertThat(paid).as("payments of %s: %s", id, types).isLessThanOrEqualTo(1);
            if (paid == 1) {
                assertThat(types).as("events of %s", id).doesNotContain("PaymentIntentCanceled");
            }
        });
    }

    @Test
    void theReadModelEqualsTheEventStore() throws Exception {
        Map<String, Expected> expected = expectedFromEvents();
        Map<String, Expected> projected = readModel();
        assertThat(expected).hasSizeGreaterThan(JOURNEYS_BEFORE_KILL);
        assertThat(projected).isEqualTo(expected);
        // and what any surviving node answers is that row
        int node = 0;
        for (String id : new ArrayList<>(expected.keySet()).subList(0, Math.min(40, expected.size()))) {
            JsonNode intent = node(node++).get("/v1/payment_intents/" + id);
            assertThat(new Expected(intent.get("status").asText(), intent.get("amount_received").asLong(),
                    projected.get(id).version())).isEqualTo(projected.get(id));
        }
    }

    @Test
    void aReadOnAnyNodeSeesWhatAnotherNodeAcknowledged() {
        assertThat(violations).isEmpty();
        assertThat(crossNodeReads.get()).as("reads checked on another node than the write")
                .isGreaterThan(JOURNEYS_BEFORE_KILL);
    }

    @Test
    void oneIdempotencyKeySentToTwoNodesAtOnceHasOneEffect() throws Exception {
        assertThat(sharedKeys).as("keys sent to two nodes, both answered").isNotEmpty();
        Map<String, List<String>> stored = createdEventsByIdempotencyKey();
        for (SharedKey shared : sharedKeys) {
            assertThat(List.of(shared.firstStatus(), shared.secondStatus())).as("answers for %s", shared.key())
                    .allMatch(status -> status == 200 || status == 409).contains(200);
            Set<String> ids = new HashSet<>();
            if (shared.firstStatus() == 200) {
                ids.add(shared.firstId());
            }
            if (shared.secondStatus() == 200) {
                ids.add(shared.secondId());
            }
            assertThat(ids).as("intents answered for %s", shared.key()).hasSize(1);
            assertThat(stored.get(shared.key())).as("intents stored for %s", shared.key())
                    .containsExactlyElementsOf(ids);
        }
        // the completed key, sent to yet another node, is replayed
        SharedKey last = sharedKeys.get(sharedKeys.size() - 1);
        HttpResponse<String> replay = node(2).send("POST", "/v1/payment_intents", sharedKeyBody(), last.key());
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(ServiceTest.JSON.readTree(replay.body()).get("id").asText())
                .isEqualTo(last.firstStatus() == 200 ? last.firstId() : last.secondId());
    }

    @Test
    void aNodeDecidesOnTheStoredIntentNotOnItsInMemoryCopy() throws Exception {
        ServiceProcess first = node(0);
        ServiceProcess second = node(1);
        // the first node creates the intent and so keeps it in its aggregate cache, at requires_confirmation
        HttpResponse<String> created = first.send("POST", "/v1/payment_intents", "{\"amount\": 4200, \"currency\": "
                + "\"usd\", \"capture_method\": \"manual\", \"payment_method\": \"pm_card_visa\"}", null);
        assertThat(created.statusCode()).isEqualTo(200);
        String id = idOf(created);
        // the second node confirms it: the first node's copy is now behind the store
        assertThat(second.send("POST", "/v1/payment_intents/" + id + "/confirm", "{}", null).statusCode())
                .isEqualTo(200);

        // a capture decided on the old copy would be refused ("status of requires_confirmation")
        HttpResponse<String> captured = first.send("POST", "/v1/payment_intents/" + id + "/capture", "{}", null);

        assertThat(captured.statusCode()).as(captured.body()).isEqualTo(200);
        JsonNode intent = ServiceTest.JSON.readTree(captured.body());
        assertThat(intent.get("status").asText()).isEqualTo("succeeded");
        assertThat(intent.get("amount_received").asLong()).isEqualTo(4200);
    }

    @Test
    void confirmRacingCancelThroughTwoNodesHasOneWinner() throws Exception {
        assertThat(races).as("races where both nodes answered").isNotEmpty();
        Map<String, List<String>> events = eventsByIntent();
        for (Race race : races) {
            List<String> types = events.get(race.id());
            assertThat(race.confirmStatus() == 200 && race.cancelStatus() == 200).as("both won on %s", race.id())
                    .isFalse();
            assertThat(List.of(race.confirmStatus(), race.cancelStatus())).as("answers on %s", race.id())
                    .allMatch(status -> status == 200 || status == 400 || status == 429);
            if (race.confirmStatus() == 200) {
                assertThat(types).as(race.id()).contains("PaymentIntentSucceeded")
                        .doesNotContain("PaymentIntentCanceled");
            }
            if (race.cancelStatus() == 200) {
                assertThat(types).as(race.id()).contains("PaymentIntentCanceled")
                        .doesNotContain("PaymentIntentSucceeded");
            }
        }
    }

    @Test
    void theDeadNodesSegmentsAreTakenOverAndItsIntentsProjected() throws Exception {
        Set<Integer> orphaned = new HashSet<>();
        ownersAtKill.forEach((segment, owner) -> {
            if (owner.equals(deadOwner)) {
                orphaned.add(segment);
            }
        });
        assertThat(orphaned).as("segments the killed node held").isNotEmpty();
        await("every segment held by a live node", () -> {
            Map<Integer, String> owners = owners();
            return owners.size() == segmentCount() && !owners.containsValue(deadOwner);
        });
        Set<String> liveOwners = new HashSet<>();
        for (int node : alive) {
            liveOwners.add(owner(cluster.node(node)));
        }
        assertThat(new HashSet<>(owners().values())).isSubsetOf(liveOwners);

        // intents created after the kill in the dead node's segments were projected (by their new owners)
        List<Segment> segments = List.of(Segment.computeSegments(ownersAtKill.keySet().stream().mapToInt(i -> i)
                .toArray()));
        Map<String, Expected> projected = readModel();
        Map<String, Expected> expected = expectedFromEvents();
        List<String> inOrphanedSegments = createdAfterKill.stream().filter(id -> segments.stream()
                .anyMatch(s -> orphaned.contains(s.getSegmentId()) && s.matches(id))).toList();
        assertThat(inOrphanedSegments).as("intents created after the kill in the dead node's segments").isNotEmpty();
        for (String id : inOrphanedSegments) {
            assertThat(projected.get(id)).as(id).isEqualTo(expected.get(id));
        }
    }

    // --- traffic ---

    private void journey(int n) {
        try {
            switch (n % 4) {
                case 0 -> payAndCheckEverywhere();
                case 1 -> holdCaptureAndCheckEverywhere();
                case 2 -> sendOneKeyToTwoNodes();
                default -> raceConfirmAgainstCancel();
            }
        } catch (Exception e) {
            violations.add("journey failed: " + e);
        }
    }

    private void payAndCheckEverywhere() throws Exception {
        int amount = 1000 + roundRobin.get() % 500;
        JsonNode created = create("{\"amount\": " + amount + ", \"currency\": \"usd\", "
                + "\"payment_method\": \"pm_card_visa\"}");
        if (created == null) {
            return;
        }
        String id = created.get("id").asText();
        ServiceProcess confirmer = expectOnAnotherNode(id, "requires_confirmation", 0, lastWriter.get());
        HttpResponse<String> confirmed = post(confirmer, "/v1/payment_intents/" + id + "/confirm", "{}",
                "confirm-" + id);
        if (acknowledged(confirmed, "confirm " + id)) {
            expectOnAnotherNode(id, "succeeded", amount, confirmer);
        }
    }

    private void holdCaptureAndCheckEverywhere() throws Exception {
        JsonNode held = create("{\"amount\": 2500, \"currency\": \"eur\", \"capture_method\": \"manual\", "
                + "\"payment_method\": \"pm_card_visa\", \"confirm\": true}");
        if (held == null) {
            return;
        }
        String id = held.get("id").asText();
        ServiceProcess capturer = expectOnAnotherNode(id, "requires_capture", 0, lastWriter.get());
        HttpResponse<String> captured = post(capturer, "/v1/payment_intents/" + id + "/capture",
                "{\"amount_to_capture\": 2000}", "capture-" + id);
        if (acknowledged(captured, "capture " + id)) {
            expectOnAnotherNode(id, "succeeded", 2000, capturer);
        }
    }

    private void sendOneKeyToTwoNodes() throws Exception {
        String key = "shared-" + UUID.randomUUID();
        sentCreateKeys.add(key);
        boolean afterKill = killed.get();
        ServiceProcess first = next();
        ServiceProcess second = next();
        CompletableFuture<HttpResponse<String>> one = send(first, "/v1/payment_intents", sharedKeyBody(), key);
        CompletableFuture<HttpResponse<String>> other = send(second, "/v1/payment_intents", sharedKeyBody(), key);
        HttpResponse<String> a = answer(one);
        HttpResponse<String> b = answer(other);
        for (HttpResponse<String> response : Arrays.asList(a, b)) {
            if (response != null && response.statusCode() == 200) {
                String id = ServiceTest.JSON.readTree(response.body()).get("id").asText();
                String earlier = creates.putIfAbsent(key, id);
                if (earlier != null && !earlier.equals(id)) {
                    violations.add("key " + key + " answered with two intents: " + earlier + ", " + id);
                }
                if (afterKill) {
                    createdAfterKill.add(id);
                }
            } else if (response != null && notReadableYet(response)) {
                notYetReadable.incrementAndGet();
            } else if (response != null && response.statusCode() != 409) {
                violations.add("key " + key + " sent to two nodes: " + response.statusCode() + " " + response.body());
            }
        }
        if (a != null && b != null && first != second && !notReadableYet(a) && !notReadableYet(b)) {
            sharedKeys.add(new SharedKey(key, a.statusCode(), idOf(a), b.statusCode(), idOf(b)));
        }
    }

    private void raceConfirmAgainstCancel() throws Exception {
        JsonNode created = create("{\"amount\": 3100, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\"}");
        if (created == null) {
            return;
        }
        String id = created.get("id").asText();
        ServiceProcess confirmer = next();
        ServiceProcess canceler = next();
        CompletableFuture<HttpResponse<String>> confirm = send(confirmer, "/v1/payment_intents/" + id + "/confirm",
                "{}", null);
        CompletableFuture<HttpResponse<String>> cancel = send(canceler, "/v1/payment_intents/" + id + "/cancel",
                "{}", null);
        HttpResponse<String> confirmed = answer(confirm);
        HttpResponse<String> canceled = answer(cancel);
        if (confirmed != null && canceled != null && confirmer != canceler && !notReadableYet(confirmed)
                && !notReadableYet(canceled)) {
            races.add(new Race(id, confirmed.statusCode(), canceled.statusCode()));
        }
        boolean confirmWon = confirmed != null && confirmed.statusCode() == 200;
        boolean cancelWon = canceled != null && canceled.statusCode() == 200;
        if (confirmWon != cancelWon) {
            expectOnAnotherNode(id, confirmWon ? "succeeded" : "canceled", confirmWon ? 3100 : 0,
                    confirmWon ? confirmer : canceler);
        }
    }

    private static String sharedKeyBody() {
        return "{\"amount\": 4400, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\", \"confirm\": true}";
    }

    /** A keyed create on the next node; its body if acknowledged. */
    private JsonNode create(String body) throws Exception {
        String key = "create-" + UUID.randomUUID();
        sentCreateKeys.add(key);
        boolean afterKill = killed.get();
        ServiceProcess node = next();
        HttpResponse<String> response = post(node, "/v1/payment_intents", body, key);
        if (!acknowledged(response, "create")) {
            return null;
        }
        lastWriter.set(node);
        JsonNode created = ServiceTest.JSON.readTree(response.body());
        creates.put(key, created.get("id").asText());
        if (afterKill) {
            createdAfterKill.add(created.get("id").asText());
        }
        return created;
    }

    /** The 500 of a write applied but not readable in time: allowed only while the dead node's segments wait. */
    private boolean notReadableYet(HttpResponse<String> response) {
        return response.statusCode() == 500 && killed.get() && response.body().contains("could not be read back");
    }

    /**
     * Whether a POST was acknowledged. The only other answer allowed is the 500 that says the write was applied but
     * not yet readable (while the dead node's segments wait to be taken over): not acknowledged, checked at the end
     * like everything else.
     */
    private boolean acknowledged(HttpResponse<String> response, String what) {
        if (response == null) {
            return false; // the node died under the request
        }
        if (response.statusCode() == 200) {
            return true;
        }
        if (notReadableYet(response)) {
            notYetReadable.incrementAndGet();
        } else {
            violations.add(what + ": " + response.statusCode() + " " + response.body());
        }
        return false;
    }

    /**
     * Read-your-writes across nodes: a node other than {@code writer}, the one that answered the write, shows it.
     * Answers that node, for the journey's next step.
     */
    private ServiceProcess expectOnAnotherNode(String id, String status, long amountReceived, ServiceProcess writer)
            throws Exception {
        ServiceProcess reader = next();
        for (int i = 0; reader == writer && i < 3; i++) {
            reader = next();
        }
        if (reader == writer) {
            return reader;
        }
        HttpResponse<String> response = get(reader, "/v1/payment_intents/" + id);
        if (response == null) {
            return next();
        }
        crossNodeReads.incrementAndGet();
        JsonNode intent = ServiceTest.JSON.readTree(response.body());
        if (response.statusCode() != 200 || !intent.get("status").asText().equals(status)
                || intent.get("amount_received").asLong() != amountReceived) {
            violations.add("GET " + id + " expected " + status + "/" + amountReceived + ", got "
                    + response.statusCode() + " " + response.body());
        }
        return reader;
    }

    /** A POST; null when the node was killed under it (no answer: unacknowledged), else its answer. */
    private HttpResponse<String> post(ServiceProcess node, String path, String body, String key) throws Exception {
        try {
            return node.send("POST", path, body, key);
        } catch (IOException e) {
            if (node != deadNode) {
                throw e;
            }
            unacknowledged.incrementAndGet();
            return null;
        }
    }

    private HttpResponse<String> get(ServiceProcess node, String path) throws Exception {
        try {
            return node.send("GET", path, null, null);
        } catch (IOException e) {
            if (node != deadNode) {
                throw e;
            }
            return null;
        }
    }

    private CompletableFuture<HttpResponse<String>> send(ServiceProcess node, String path, String body, String key) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return post(node, path, body, key);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, sideRequests);
    }

    private static HttpResponse<String> answer(CompletableFuture<HttpResponse<String>> response) throws Exception {
        return response.get();
    }

    private static String idOf(HttpResponse<String> response) throws IOException {
        return response.statusCode() == 200 ? ServiceTest.JSON.readTree(response.body()).get("id").asText() : null;
    }

    /** The next live node, round robin, as a load balancer that has noticed a dead node sends nothing to it. */
    private ServiceProcess next() {
        List<Integer> nodes = new ArrayList<>(alive);
        Collections.sort(nodes);
        return cluster.node(nodes.get(Math.floorMod(roundRobin.getAndIncrement(), nodes.size())));
    }

    private ServiceProcess node(int n) {
        List<Integer> nodes = new ArrayList<>(alive);
        Collections.sort(nodes);
        return cluster.node(nodes.get(Math.floorMod(n, nodes.size())));
    }

    private void killNodeHoldingTheMostSegments() throws Exception {
        ownersAtKill = owners();
        Map<String, Integer> counts = new HashMap<>();
        ownersAtKill.values().forEach(owner -> counts.merge(owner, 1, Integer::sum));
        int victim = 0;
        for (int node = 0; node < 3; node++) {
            if (counts.getOrDefault(owner(cluster.node(node)), 0)
                    > counts.getOrDefault(owner(cluster.node(victim)), 0)) {
                victim = node;
            }
        }
        deadOwner = owner(cluster.node(victim));
        deadNode = cluster.node(victim);
        killed.set(true);
        deadNode.kill();
        alive.remove(victim);
    }

    // --- the database ---

    /** The token store's owner for a node: JdbcTokenStore's default node id, the JVM's pid@host. */
    private static String owner(ServiceProcess node) {
        return node.process().pid() + "@";
    }

    /** Segment → owner prefix (pid@) of every segment of the projection whose claim is held. */
    private Map<Integer, String> owners() throws Exception {
        Map<Integer, String> owners = new TreeMap<>();
        try (Connection connection = cluster.connect(); PreparedStatement statement = connection.prepareStatement(
                "SELECT segment, owner FROM token_entry WHERE processor_name = ? AND owner IS NOT NULL")) {
            statement.setString(1, PROCESSOR);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String owner = rows.getString(2);
                    owners.put(rows.getInt(1), owner.substring(0, owner.indexOf('@') + 1));
                }
            }
        }
        return owners;
    }

    private int segmentCount() throws Exception {
        try (Connection connection = cluster.connect(); PreparedStatement statement = connection.prepareStatement(
                "SELECT count(*) FROM token_entry WHERE processor_name = ?")) {
            statement.setString(1, PROCESSOR);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** Idempotency-Key → the intents whose PaymentIntentCreated event the key's request caused. */
    private Map<String, List<String>> createdEventsByIdempotencyKey() throws Exception {
        Map<String, List<String>> keys = new HashMap<>();
        try (Connection connection = cluster.connect(); ResultSet rows = connection.createStatement().executeQuery("""
                SELECT convert_from(meta_data, 'UTF8')::jsonb ->> 'idempotencyKey', aggregate_identifier
                FROM domain_event_entry WHERE payload_type LIKE '%.PaymentIntentCreated'""")) {
            while (rows.next()) {
                keys.computeIfAbsent(rows.getString(1), k -> new ArrayList<>()).add(rows.getString(2));
            }
        }
        return keys;
    }

    /** Intent → the simple names of its event types, in order. */
    private Map<String, List<String>> eventsByIntent() throws Exception {
        Map<String, List<String>> events = new HashMap<>();
        try (Connection connection = cluster.connect(); ResultSet rows = connection.createStatement().executeQuery(
                "SELECT aggregate_identifier, payload_type FROM domain_event_entry "
                        + "ORDER BY aggregate_identifier, sequence_number")) {
            while (rows.next()) {
                String type = rows.getString(2);
                events.computeIfAbsent(rows.getString(1), k -> new ArrayList<>())
                        .add(type.substring(type.lastIndexOf('.') + 1));
            }
        }
        return events;
    }

    record Expected(String status, long amountReceived, long version) {
    }

    /** What the read model must show, from the events alone: the last event's status, the amount paid, the version. */
    private Map<String, Expected> expectedFromEvents() throws Exception {
        Map<String, Expected> expected = new HashMap<>();
        try (Connection connection = cluster.connect(); ResultSet rows = connection.createStatement().executeQuery(
                "SELECT aggregate_identifier, sequence_number, convert_from(payload, 'UTF8') FROM domain_event_entry "
                        + "ORDER BY aggregate_identifier, sequence_number")) {
            while (rows.next()) {
                String id = rows.getString(1);
                JsonNode event = ServiceTest.JSON.readTree(rows.getString(3));
                Expected before = expected.get(id);
                // PaymentIntentSucceeded has amountReceived; a capture (PaymentIntentCaptured revision 2) the amount
                // it took, which is then what the intent received
                long received = event.has("amountReceived") ? event.get("amountReceived").asLong()
                        : event.has("amountCaptured") ? event.get("amountCaptured").asLong()
                        : before == null ? 0 : before.amountReceived();
                expected.put(id, new Expected(event.get("status").asText(), received, rows.getLong(2)));
            }
        }
        return expected;
    }

    private Map<String, Expected> readModel() throws Exception {
        Map<String, Expected> rows = new HashMap<>();
        try (Connection connection = cluster.connect(); ResultSet result = connection.createStatement().executeQuery(
                "SELECT id, status, amount_received, version FROM payment_intents")) {
            while (result.next()) {
                rows.put(result.getString(1), new Expected(result.getString(2), result.getLong(3),
                        result.getLong(4)));
            }
        }
        return rows;
    }

    /** Intents whose row is missing or behind their last event. */
    private List<String> lagging() throws Exception {
        List<String> lagging = new ArrayList<>();
        try (Connection connection = cluster.connect(); ResultSet rows = connection.createStatement().executeQuery("""
                SELECT e.aggregate_identifier FROM (SELECT aggregate_identifier, max(sequence_number) AS last
                    FROM domain_event_entry GROUP BY aggregate_identifier) e
                LEFT JOIN payment_intents p ON p.id = e.aggregate_identifier
                WHERE p.version IS DISTINCT FROM e.last""")) {
            while (rows.next()) {
                lagging.add(rows.getString(1));
            }
        }
        return lagging;
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls a condition until it holds; generous, since two cores run three services and PostgreSQL. */
    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
