package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@code GET /v1/payment_intents/search} end to end. The database is shared by every test class, so each test tags
 * the intents it makes with a metadata value (or customers) of its own and only ever searches within them.
 */
class SearchTest extends ServiceTest {

    private static final String FIELDS = " Fields you can search on are: amount, created, currency, customer, metadata, "
            + "status.";

    private String run;

    @BeforeEach
    void aTagOfThisTestsOwn() {
        run = "run_" + System.nanoTime();
    }

    /** The clause that keeps a search to this test's intents. */
    private String mine() {
        return "metadata[\"run\"]:\"" + run + "\"";
    }

    private String create(String fields) {
        return createIntent("{\"amount\": 2000, \"currency\": \"usd\", " + fields + "\"metadata\": {\"run\": \""
                + run + "\"}}");
    }

    private String create(String fields, String moreMetadata) {
        return createIntent("{\"amount\": 2000, \"currency\": \"usd\", " + fields + "\"metadata\": {\"run\": \""
                + run + "\", " + moreMetadata + "}}");
    }

    private Reply search(String query, String... more) {
        StringBuilder path = new StringBuilder("/v1/payment_intents/search?query=")
                .append(URLEncoder.encode(query, StandardCharsets.UTF_8));
        for (int i = 0; i < more.length; i += 2) {
            path.append('&').append(URLEncoder.encode(more[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(more[i + 1], StandardCharsets.UTF_8));
        }
        Reply reply = get(path.toString());
        StripeSchemas.assertConforms("/v1/payment_intents/search", reply.body());
        return reply;
    }

    /** The ids a search finds, all on one page. */
    private List<String> found(String query) {
        Reply reply = search(query, "limit", "100");
        assertThat(reply.status()).as("%s: %s", query, reply.body()).isEqualTo(200);
        assertThat(reply.body().get("has_more").asBoolean()).isFalse();
        List<String> ids = ids(reply.body());
        assertThat(reply.body().get("total_count").asLong()).isEqualTo(ids.size());
        return ids;
    }

    private static List<String> ids(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.get("data").forEach(intent -> ids.add(intent.get("id").asText()));
        return ids;
    }

    @Test
    void aSearchResultIsStripesSearchResultObject() {
        String id = create("\"description\": \"shape\", ");

        Reply reply = search(mine());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Request-Id")).startsWith("req_");
        JsonNode body = reply.body();
        List<String> names = new ArrayList<>();
        body.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("object", "data", "has_more", "next_page", "url", "total_count");
        assertThat(body.get("object").asText()).isEqualTo("search_result");
        assertThat(body.get("url").asText()).isEqualTo("/v1/payment_intents/search");
        assertThat(body.get("has_more").asBoolean()).isFalse();
        assertThat(body.get("next_page").isNull()).isTrue();
        assertThat(body.get("total_count").asLong()).isEqualTo(1);
        JsonNode intent = body.get("data").get(0);
        assertThat(intent.get("id").asText()).isEqualTo(id);
        assertThat(intent.get("object").asText()).isEqualTo("payment_intent");
        assertThat(intent.get("description").asText()).isEqualTo("shape");
        assertThat(intent.get("metadata").get("run").asText()).isEqualTo(run);
        assertThat(fields(intent)).isEqualTo(fields(get("/v1/payment_intents/" + id).body()));
    }

    @Test
    void aSearchThatMatchesNothingIsAnEmptyResult() {
        create("");

        Reply reply = search(mine() + " AND amount>999999999");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("data")).isEmpty();
        assertThat(reply.body().get("has_more").asBoolean()).isFalse();
        assertThat(reply.body().get("next_page").isNull()).isTrue();
        assertThat(reply.body().get("total_count").asLong()).isZero();
    }

    @Test
    void statusMatchesExactlyWhateverTheCase() {
        String succeeded = create("\"payment_method\": \"pm_card_visa\", \"confirm\": true, ");
        String open = create("");
        String canceled = create("");
        assertThat(postJson("/v1/payment_intents/" + canceled + "/cancel", "{}").status()).isEqualTo(200);

        assertThat(found("status:\"succeeded\" " + mine())).containsExactly(succeeded);
        assertThat(found("status:\"SUCCEEDED\" " + mine())).containsExactly(succeeded);
        assertThat(found("status:\"requires_payment_method\" " + mine())).containsExactly(open);
        assertThat(found("status:'canceled' AND " + mine())).containsExactly(canceled);
        for (String unknown : new String[]{"succeed", "nonsense"}) {
            Reply reply = search("status:\"" + unknown + "\" " + mine());
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.error().get("param").asText()).isEqualTo("query");
            assertThat(reply.error().get("message").asText()).startsWith("Invalid query: unknown status '" + unknown
                    + "'. Statuses are: requires_payment_method, ");
        }
    }

    @Test
    void currencyMatchesExactlyWhateverTheCase() {
        String usd = create("");
        String eur = createIntent("{\"amount\": 2000, \"currency\": \"eur\", \"metadata\": {\"run\": \"" + run + "\"}}");

        assertThat(found("currency:\"eur\" " + mine())).containsExactly(eur);
        assertThat(found("currency:\"USD\" " + mine())).containsExactly(usd);
        assertThat(found("currency:\"gbp\" " + mine())).isEmpty();
    }

    @Test
    void customerMatchesExactlyWhateverTheCaseAndNullFindsIntentsWithout() {
        String customer = "cus_" + run;
        String withCustomer = create("\"customer\": \"" + customer + "\", ");
        String other = create("\"customer\": \"" + customer + "x\", ");
        String without = create("");

        assertThat(found("customer:\"" + customer + "\"")).containsExactly(withCustomer);
        assertThat(found("customer:\"" + customer.toUpperCase() + "\"")).containsExactly(withCustomer);
        assertThat(found("customer:\"" + customer.substring(0, customer.length() - 2) + "\"")).isEmpty();
        assertThat(found("customer:null " + mine())).containsExactly(without);
        assertThat(found("-customer:null " + mine())).containsExactlyInAnyOrder(withCustomer, other);
    }

    @Test
    void metadataMatchesAValueByKeyAndNullFindsIntentsWithoutTheKey() {
        String first = create("", "\"order\": \"o-1\", \"donation-id\": \"asdf-jkl\"");
        String second = create("", "\"order\": \"o-2\"");
        String none = create("");

        assertThat(found("metadata[\"order\"]:\"o-1\" " + mine())).containsExactly(first);
        assertThat(found("metadata['order']:'O-2' " + mine())).containsExactly(second);
        assertThat(found("metadata[\"donation-id\"]:\"asdf-jkl\" " + mine())).containsExactly(first);
        assertThat(found("metadata[\"order\"]:\"o-\" " + mine())).isEmpty();
        assertThat(found("metadata[\"order\"]:null " + mine())).containsExactly(none);
        assertThat(found("-metadata[\"order\"]:null " + mine())).containsExactlyInAnyOrder(first, second);
        assertThat(found("metadata[\"ORDER\"]:\"o-1\" " + mine())).as("keys are case-sensitive").isEmpty();
    }

    @Test
    void amountComparesAsAnInteger() {
        String small = createIntent("{\"amount\": 1000, \"currency\": \"usd\", \"metadata\": {\"run\": \"" + run + "\"}}");
        String medium = create("");
        String large = createIntent("{\"amount\": 3000, \"currency\": \"usd\", \"metadata\": {\"run\": \"" + run + "\"}}");

        assertThat(found("amount>1000 " + mine())).containsExactlyInAnyOrder(medium, large);
        assertThat(found("amount>=2000 AND amount<3000 AND " + mine())).containsExactly(medium);
        assertThat(found("amount<=1000 " + mine())).containsExactly(small);
        assertThat(found("amount<1000 " + mine())).isEmpty();
        assertThat(found("amount:2000 " + mine())).containsExactly(medium);
        assertThat(found("amount>=\"3000\" " + mine())).containsExactly(large);
        assertThat(found("-amount:2000 " + mine())).containsExactlyInAnyOrder(small, large);
    }

    @Test
    void createdComparesUnixSeconds() throws Exception {
        String earlier = create("");
        long earlierCreated = get("/v1/payment_intents/" + earlier).body().get("created").asLong();
        while (Instant.now().getEpochSecond() <= earlierCreated) {
            Thread.sleep(50);
        }
        String later = create("");
        long laterCreated = get("/v1/payment_intents/" + later).body().get("created").asLong();
        assertThat(laterCreated).isGreaterThan(earlierCreated);

        assertThat(found("created>=" + laterCreated + " " + mine())).containsExactly(later);
        assertThat(found("created<" + laterCreated + " " + mine())).containsExactly(earlier);
        assertThat(found("created:" + earlierCreated + " " + mine())).containsExactly(earlier);
        assertThat(found("created>" + earlierCreated + " AND created<=" + laterCreated + " AND " + mine()))
                .containsExactly(later);
        assertThat(found("created>" + laterCreated + " " + mine())).isEmpty();
        assertThat(found("created<=" + laterCreated + " " + mine())).containsExactly(later, earlier);
    }

    @Test
    void orMatchesEitherClause() {
        String a = create("\"customer\": \"cus_a_" + run + "\", ");
        String b = create("\"customer\": \"cus_b_" + run + "\", ");
        create("\"customer\": \"cus_c_" + run + "\", ");

        assertThat(found("customer:\"cus_a_" + run + "\" OR customer:\"cus_b_" + run + "\""))
                .containsExactlyInAnyOrder(a, b);
        assertThat(found("customer:\"cus_a_" + run + "\" or customer:\"cus_nobody_" + run + "\""))
                .containsExactly(a);
    }

    @Test
    void aMinusExcludesAClauseIncludingIntentsThatLackTheField() {
        String customer = "cus_" + run;
        String succeeded = create("\"customer\": \"" + customer + "\", \"payment_method\": \"pm_card_visa\", "
                + "\"confirm\": true, ");
        String open = create("");
        String eur = createIntent("{\"amount\": 2000, \"currency\": \"eur\", \"metadata\": {\"run\": \"" + run + "\"}}");

        assertThat(found("-status:\"succeeded\" " + mine())).containsExactlyInAnyOrder(open, eur);
        assertThat(found("-currency:\"usd\" " + mine())).containsExactly(eur);
        assertThat(found("-customer:\"" + customer + "\" " + mine())).containsExactlyInAnyOrder(open, eur);
        assertThat(found("-status:\"succeeded\" -currency:\"eur\" " + mine())).containsExactly(open);
        assertThat(found("-status:\"canceled\" AND " + mine())).containsExactlyInAnyOrder(succeeded, open, eur);
    }

    @Test
    void nextPageWalksEveryMatchOnceNewestFirst() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(create(""));
        }

        List<JsonNode> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String page = null;
        do {
            Reply reply = page == null ? search(mine(), "limit", "2") : search(mine(), "limit", "2", "page", page);
            assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
            assertThat(reply.body().get("total_count").asLong()).isEqualTo(7);
            reply.body().get("data").forEach(seen::add);
            pageSizes.add(reply.body().get("data").size());
            boolean hasMore = reply.body().get("has_more").asBoolean();
            page = reply.body().get("next_page").isNull() ? null : reply.body().get("next_page").asText();
            assertThat(page != null).isEqualTo(hasMore);
        } while (page != null);

        assertThat(pageSizes).containsExactly(2, 2, 2, 1);
        List<String> ids = seen.stream().map(intent -> intent.get("id").asText()).toList();
        assertThat(new HashSet<>(ids)).hasSize(7);
        assertThat(ids).containsExactlyInAnyOrderElementsOf(created);
        assertThat(seen).isSortedAccordingTo(Comparator.<JsonNode>comparingLong(intent -> intent.get("created").asLong())
                .thenComparing(intent -> intent.get("id").asText()).reversed());
    }

    @Test
    void theDefaultPageHoldsTenAndAnIntentCreatedWhilePagingDoesNotShiftThePages() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            created.add(create(""));
        }

        Reply first = search(mine());
        // Order is (created, id) at one-second resolution: only an intent of a later second sorts before them all.
        long lastSecond = first.body().at("/data/0/created").asLong();
        while (System.currentTimeMillis() / 1000 <= lastSecond) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        String newcomer = create(""); // newer than everything: it belongs before the first page
        Reply second = search(mine(), "page", first.body().get("next_page").asText());

        assertThat(ids(first.body())).hasSize(10);
        assertThat(first.body().get("has_more").asBoolean()).isTrue();
        assertThat(ids(second.body())).hasSize(2).doesNotContainAnyElementsOf(ids(first.body()));
        assertThat(second.body().get("has_more").asBoolean()).isFalse();
        assertThat(second.body().get("next_page").isNull()).isTrue();
        assertThat(second.body().get("total_count").asLong()).isEqualTo(13);
        List<String> all = new ArrayList<>(ids(first.body()));
        all.addAll(ids(second.body()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(created).doesNotContain(newcomer);
    }

    @Test
    void anIntentIsSearchableAsSoonAsItsWriteHasAnswered() {
        String id = create("", "\"stage\": \"created\"");
        assertThat(found("metadata[\"stage\"]:\"created\" " + mine())).containsExactly(id);

        assertThat(postJson("/v1/payment_intents/" + id, "{\"metadata\": {\"stage\": \"updated\"}}").status())
                .isEqualTo(200);
        assertThat(found("metadata[\"stage\"]:\"updated\" " + mine())).containsExactly(id);
        assertThat(found("metadata[\"stage\"]:\"created\" " + mine())).isEmpty();

        assertThat(postJson("/v1/payment_intents/" + id + "/confirm", "{\"payment_method\": \"pm_card_visa\"}")
                .status()).isEqualTo(200);
        assertThat(found("status:\"succeeded\" " + mine())).containsExactly(id);
    }

    @Test
    void clientTextIsOnlyEverAValue() {
        create("", "\"x' OR '1'='1\": \"y\"");

        assertThat(found("metadata[\"x' OR '1'='1\"]:\"y\" " + mine())).hasSize(1);
        assertThat(found("metadata[\"run\"]:\"" + run + "' OR '1'='1\"")).isEmpty();
        assertThat(found("customer:\"x') OR TRUE --\" " + mine())).isEmpty();
    }

    static Stream<Arguments> malformedQueries() {
        return Stream.of(
                arguments("colour:\"red\"", "Invalid query: unknown field 'colour' at position 0." + FIELDS),
                arguments("status:\"a\" AND amount>1 OR amount<5", "Invalid query: AND and OR cannot be combined in "
                        + "one query: OR at position 24 follows AND at position 11. Parentheses are not supported, so "
                        + "use either only AND or only OR."),
                arguments("(status:\"a\" OR status:\"b\")", "Invalid query: parentheses are not supported (found '(' "
                        + "at position 0). Combine clauses with either only AND or only OR."),
                arguments("status:succeeded", "Invalid query: the value 'succeeded' at position 7 must be in "
                        + "quotation marks, e.g. status:\"succeeded\"."),
                arguments("status>\"a\"", "Invalid query: the operator '>' at position 6 cannot be used on status, "
                        + "which supports only ':' (exact match)."),
                arguments("customer~\"cus\"", "Invalid query: the operator '~' at position 8 cannot be used on "
                        + "customer, which supports only ':' (exact match)."),
                arguments("amount>ten", "Invalid query: amount at position 7 needs an integer value, found 'ten'."),
                arguments("metadata:\"x\"", "Invalid query: metadata at position 0 needs a key in brackets, e.g. "
                        + "metadata[\"order_id\"]:\"6735\"."),
                arguments("status:\"open", "Invalid query: unterminated string starting at position 7: expected a "
                        + "closing \"."),
                arguments("status:\"a\" AND", "Invalid query: expected a clause at position 14 after AND at position "
                        + "11, found the end of the query."),
                arguments(" ", "Invalid query: expected a clause at position 1, but the query is empty. A clause is a "
                        + "field, an operator and a value, e.g. status:\"succeeded\"."),
                arguments(String.join(" ", java.util.Collections.nCopies(11, "amount:1")), "Invalid query: too many "
                        + "clauses: the clause at position 90 is clause 11, and a query can combine at most 10."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedQueries")
    void aMalformedQueryIsA400ThatPointsAtTheProblem(String query, String message) {
        assertError(search(query), "parameter_invalid_string", "query", message);
    }

    static Stream<Arguments> badParameters() {
        String notACursor = Base64.getUrlEncoder().withoutPadding().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
        return Stream.of(
                arguments("no query", "/v1/payment_intents/search", "parameter_missing", "query",
                        "Missing required param: query."),
                arguments("empty query", "/v1/payment_intents/search?query=", "parameter_missing", "query",
                        "Missing required param: query."),
                arguments("limit 0", "/v1/payment_intents/search?query=amount%3E1&limit=0", "parameter_invalid_integer",
                        "limit", "Invalid limit: must be between 1 and 100"),
                arguments("limit 101", "/v1/payment_intents/search?query=amount%3E1&limit=101",
                        "parameter_invalid_integer", "limit", "Invalid limit: must be between 1 and 100"),
                arguments("limit abc", "/v1/payment_intents/search?query=amount%3E1&limit=abc",
                        "parameter_invalid_integer", "limit", "Invalid integer: abc"),
                arguments("page that is not base64", "/v1/payment_intents/search?query=amount%3E1&page=%25%25%25",
                        "parameter_invalid_string", "page",
                        "Invalid page: it must be a next_page value returned by a previous search."),
                arguments("page that is not a cursor", "/v1/payment_intents/search?query=amount%3E1&page=" + notACursor,
                        "parameter_invalid_string", "page",
                        "Invalid page: it must be a next_page value returned by a previous search."),
                arguments("unknown parameter", "/v1/payment_intents/search?query=amount%3E1&starting_after=pi_1",
                        "parameter_unknown", "starting_after", "Received unknown parameter: starting_after"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badParameters")
    void aBadParameterIsA400OnThatParameter(String description, String path, String code, String param,
                                             String message) {
        Reply reply = get(path);
        StripeSchemas.assertConforms(path, reply.body());
        assertError(reply, code, param, message);
    }

    @Test
    void expandDataLatestChargeRendersTheChargeAndNothingElseExpands() {
        String id = create("");
        postJson("/v1/payment_intents/" + id + "/confirm", "{\"payment_method\": \"pm_card_visa\"}");

        Reply expanded = search(mine(), "expand[]", "data.latest_charge");
        Reply customer = search(mine(), "expand[]", "data.customer");

        assertThat(expanded.status()).isEqualTo(200);
        assertThat(ids(expanded.body())).containsExactly(id);
        assertThat(expanded.body().at("/data/0/latest_charge/object").asText()).isEqualTo("charge");
        assertThat(customer.status()).isEqualTo(400);
        assertThat(customer.error().get("message").asText()).isEqualTo("This property cannot be expanded (data.customer).");
    }

    @Test
    void searchNeedsASecretKey() {
        Reply anonymous = send("GET", "/v1/payment_intents/search?query=amount%3E1", null);
        Reply publishable = send("GET", "/v1/payment_intents/search?query=amount%3E1", null,
                "Authorization", bearer(PUBLISHABLE_KEY));

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(publishable.status()).isEqualTo(403);
    }

    private static void assertError(Reply reply, String code, String param, String message) {
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(400);
        assertThat(reply.header("Request-Id")).startsWith("req_");
        JsonNode error = reply.error();
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("param").asText()).isEqualTo(param);
        assertThat(error.get("message").asText()).isEqualTo(message);
    }


    @Test
    void expandTotalCountIsAcceptedAsStripeClientsSendIt() {
        String id = create("");

        Reply reply = search(mine(), "expand[]", "total_count");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(ids(reply.body())).containsExactly(id);
        assertThat(reply.body().get("total_count").asLong()).isEqualTo(1);
    }

    @Test
    void postingToTheSearchUrlIsNotAnUpdateOfAnIntentCalledSearch() {
        Reply reply = postJson("/v1/payment_intents/search", "{\"query\": \"amount>1\"}");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.error().get("code").asText()).isEqualTo("resource_missing");
    }
}
