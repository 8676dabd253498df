package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /v1/payment_intents}: order, cursors, limits and filters, over real HTTP. */
class ListTest extends ServiceTest {

    private static String customer() {
        return "cus_list_" + System.nanoTime();
    }

    private List<String> createMany(String customer, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(createIntent("{\"amount\": " + (1000 + i) + ", \"currency\": \"usd\", \"customer\": \""
                    + customer + "\"}"));
        }
        return ids;
    }

    private static List<String> ids(Reply reply) {
        List<String> ids = new ArrayList<>();
        reply.body().get("data").forEach(intent -> ids.add(intent.get("id").asText()));
        return ids;
    }

    @Test
    void pagesForwardAndBackwardSeeEveryIntentOnceInOrder() {
        String customer = customer();
        List<String> created = createMany(customer, 12);

        List<JsonNode> forward = new ArrayList<>();
        String cursor = null;
        boolean hasMore = true;
        while (hasMore) {
            Reply page = get("/v1/payment_intents?customer=" + customer + "&limit=5"
                    + (cursor == null ? "" : "&starting_after=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            page.body().get("data").forEach(forward::add);
            hasMore = page.body().get("has_more").asBoolean();
            cursor = forward.get(forward.size() - 1).get("id").asText();
        }
        List<String> forwardIds = forward.stream().map(i -> i.get("id").asText()).toList();
        assertThat(forwardIds).hasSize(12).containsExactlyInAnyOrderElementsOf(created);
        for (int i = 1; i < forward.size(); i++) {
            JsonNode previous = forward.get(i - 1);
            JsonNode current = forward.get(i);
            long a = previous.get("created").asLong();
            long b = current.get("created").asLong();
            assertThat(a > b || (a == b && previous.get("id").asText().compareTo(current.get("id").asText()) > 0))
                    .as("(created, id) strictly descending at %d", i).isTrue();
        }

        List<String> backward = new ArrayList<>();
        cursor = forwardIds.get(forwardIds.size() - 1);
        backward.add(0, cursor);
        hasMore = true;
        while (hasMore) {
            Reply page = get("/v1/payment_intents?customer=" + customer + "&limit=5&ending_before=" + cursor);
            List<String> ids = ids(page);
            backward.addAll(0, ids);
            hasMore = page.body().get("has_more").asBoolean();
            cursor = ids.get(0);
        }
        assertThat(backward).isEqualTo(forwardIds);
    }

    @Test
    void pagingWhileIntentsAreCreatedNeitherSkipsNorRepeats() throws Exception {
        String customer = customer();
        List<String> existing = createMany(customer, 9);
        AtomicBoolean paging = new AtomicBoolean(true);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<Integer> concurrent = writer.submit(() -> {
            int n = 0;
            while (paging.get() && n < 20) {
                createIntent("{\"amount\": 5000, \"currency\": \"usd\", \"customer\": \"" + customer + "\"}");
                n++;
            }
            return n;
        });
        try {
            List<String> seen = new ArrayList<>();
            Reply first = get("/v1/payment_intents?customer=" + customer + "&limit=2");
            seen.addAll(ids(first));
            String cursor = seen.get(seen.size() - 1);
            boolean hasMore = first.body().get("has_more").asBoolean();
            while (hasMore) {
                Reply page = get("/v1/payment_intents?customer=" + customer + "&limit=2&starting_after=" + cursor);
                seen.addAll(ids(page));
                cursor = seen.get(seen.size() - 1);
                hasMore = page.body().get("has_more").asBoolean();
            }
            paging.set(false);
            assertThat(concurrent.get()).isPositive();
            assertThat(new HashSet<>(seen)).as("no intent repeated").hasSameSizeAs(seen);
            assertThat(seen).as("every intent that existed before paging began is seen")
                    .containsAll(existing);
        } finally {
            paging.set(false);
            writer.shutdownNow();
        }
    }

    @Test
    void aFilterSeesAWriteAsSoonAsItsResponseArrived() {
        String customer = customer();
        String id = createIntent("{\"amount\": 1000, \"currency\": \"usd\", \"customer\": \"" + customer + "\"}");
        postJson("/v1/payment_intents/" + id + "/cancel", "{}");

        assertThat(ids(get("/v1/payment_intents?customer=" + customer + "&status=canceled"))).containsExactly(id);
        assertThat(ids(get("/v1/payment_intents?customer=" + customer + "&status=requires_payment_method"))).isEmpty();
    }

    @Test
    void createdFiltersAreExactAndCombinable() {
        String customer = customer();
        String id = createIntent("{\"amount\": 1000, \"currency\": \"usd\", \"customer\": \"" + customer + "\"}");
        long created = get("/v1/payment_intents/" + id).body().get("created").asLong();
        String base = "/v1/payment_intents?customer=" + customer;

        assertThat(ids(get(base + "&created=" + created))).containsExactly(id);
        assertThat(ids(get(base + "&created[gte]=" + created + "&created[lte]=" + created))).containsExactly(id);
        assertThat(ids(get(base + "&created[gt]=" + created))).isEmpty();
        assertThat(ids(get(base + "&created[lt]=" + created))).isEmpty();
        assertThat(ids(get(base + "&created[gt]=" + (created - 1) + "&created[lt]=" + (created + 1)
                + "&status=requires_payment_method"))).containsExactly(id);
    }

    @Test
    void limitOutsideOneToAHundredIsRejected() {
        for (String limit : List.of("0", "101", "-1")) {
            Reply reply = get("/v1/payment_intents?limit=" + limit);
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.error().get("param").asText()).isEqualTo("limit");
            assertThat(reply.error().get("code").asText()).isEqualTo("parameter_invalid_integer");
        }
        Reply notANumber = get("/v1/payment_intents?limit=ten");
        assertThat(notANumber.status()).isEqualTo(400);
        assertThat(notANumber.error().get("param").asText()).isEqualTo("limit");
    }

    @Test
    void theDefaultLimitIsTen() {
        String customer = customer();
        createMany(customer, 11);

        Reply reply = get("/v1/payment_intents?customer=" + customer);

        assertThat(reply.body().get("data").size()).isEqualTo(10);
        assertThat(reply.body().get("has_more").asBoolean()).isTrue();
    }

    @Test
    void bothCursorsAtOnceAreRejected() {
        Reply reply = get("/v1/payment_intents?starting_after=pi_a&ending_before=pi_b");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().get("message").asText())
                .isEqualTo("Received both starting_after and ending_before parameters. Please pass in only one.");
    }

    @Test
    void anUnknownCursorIsResourceMissing() {
        Reply reply = get("/v1/payment_intents?starting_after=pi_nosuchintent000000000000");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.error().get("code").asText()).isEqualTo("resource_missing");
        assertThat(reply.error().get("param").asText()).isEqualTo("starting_after");
    }

    @Test
    void anUnknownStatusOrFilterIsRejected() {
        assertThat(get("/v1/payment_intents?status=paid").error().get("param").asText()).isEqualTo("status");
        assertThat(get("/v1/payment_intents?created[after]=1").error().get("param").asText())
                .isEqualTo("created[after]");
        assertThat(get("/v1/payment_intents?colour=red").error().get("code").asText()).isEqualTo("parameter_unknown");
    }

    @Test
    void expandDataLatestChargeRendersChargesInline() {
        String customer = customer();
        createIntent("{\"amount\": 1000, \"currency\": \"usd\", \"customer\": \"" + customer
                + "\", \"payment_method\": \"pm_card_visa\", \"confirm\": true}");

        Reply plain = get("/v1/payment_intents?customer=" + customer);
        Reply expanded = get("/v1/payment_intents?customer=" + customer + "&expand[]=data.latest_charge");
        Reply wrong = get("/v1/payment_intents?customer=" + customer + "&expand[]=latest_charge");

        assertThat(plain.body().at("/data/0/latest_charge").isTextual()).isTrue();
        assertThat(expanded.body().at("/data/0/latest_charge/object").asText()).isEqualTo("charge");
        assertThat(expanded.body().at("/data/0/latest_charge/id").asText())
                .isEqualTo(plain.body().at("/data/0/latest_charge").asText());
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.error().get("message").asText()).isEqualTo("This property cannot be expanded (latest_charge).");
    }

    @Test
    void expandLatestChargeOnOneIntentAndNothingElse() {
        String id = createIntent("{\"amount\": 1000, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\", "
                + "\"confirm\": true}");

        Reply expanded = get("/v1/payment_intents/" + id + "?expand[0]=latest_charge");
        Reply customer = get("/v1/payment_intents/" + id + "?expand[]=customer");
        Reply viaPost = postJson("/v1/payment_intents/" + id, "{\"expand\": [\"latest_charge\"]}");

        assertThat(expanded.body().at("/latest_charge/object").asText()).isEqualTo("charge");
        assertThat(expanded.body().at("/latest_charge/payment_intent").asText()).isEqualTo(id);
        assertThat(customer.status()).isEqualTo(400);
        assertThat(customer.error().get("param").asText()).isEqualTo("expand");
        assertThat(customer.error().get("message").asText()).isEqualTo("This property cannot be expanded (customer).");
        assertThat(viaPost.body().at("/latest_charge/amount").asLong()).isEqualTo(1000);
        Set<String> unchanged = Set.of(get("/v1/payment_intents/" + id).body().get("latest_charge").asText());
        assertThat(unchanged).allMatch(s -> s.startsWith("ch_"));
    }
}
