package io.paymentintents.query;

import io.paymentintents.api.CaptureMethod;
import io.paymentintents.api.ConfirmationMethod;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.event.PaymentIntentCreated;
import io.paymentintents.api.query.PaymentIntentSearchResult;
import io.paymentintents.api.query.PaymentIntentView;
import io.paymentintents.api.query.SearchCursor;
import io.paymentintents.api.query.SearchPaymentIntents;
import io.paymentintents.api.query.SearchQuery;
import io.paymentintents.api.query.SearchQuery.And;
import io.paymentintents.api.query.SearchQuery.Clause;
import io.paymentintents.api.query.SearchQuery.Field;
import io.paymentintents.api.query.SearchQuery.Not;
import io.paymentintents.api.query.SearchQuery.Operator;
import io.paymentintents.api.query.SearchQuery.Or;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The search handler over one data set: two accounts with the same customers, amounts, currencies, metadata and
 * seconds, so that a result from the wrong account, or a page boundary inside one second, would show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaymentIntentSearchTest {

    private static final String ACCOUNT = "acct_searcher";
    private static final String NEIGHBOUR = "acct_search_neighbour";
    private static final long SHARED = Instant.parse("2024-06-01T10:00:00Z").getEpochSecond();

    private record Seed(String id, String accountId, Instant createdAt, long amount, String currency, String customer,
                        Map<String, String> metadata) {
        long created() {
            return createdAt.getEpochSecond();
        }
    }

    private static final Comparator<Seed> LIST_ORDER = Comparator.comparingLong(Seed::created)
            .thenComparing(Seed::id).reversed();

    private final List<Seed> seeds = new ArrayList<>();
    private PaymentIntentSearch search;
    private PaymentIntentSearch searchInTransactions;

    @BeforeAll
    void writeTheDataSet() {
        QueryDatabase.deleteAllPaymentIntents();
        PaymentIntentTable table = QueryDatabase.newTable();
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(QueryDatabase.dataSource());
        search = new PaymentIntentSearch(jdbc, table, new DefaultListableBeanFactory()
                .getBeanProvider(PlatformTransactionManager.class));
        DefaultListableBeanFactory withManager = new DefaultListableBeanFactory();
        withManager.registerSingleton("transactionManager", new JdbcTransactionManager(QueryDatabase.dataSource()));
        searchInTransactions = new PaymentIntentSearch(jdbc, table,
                withManager.getBeanProvider(PlatformTransactionManager.class));

        Random random = new Random(20240601);
        for (String account : List.of(ACCOUNT, NEIGHBOUR)) {
            for (int i = 0; i < 14; i++) {
                // seven intents share one second; the others are a minute apart around it
                Instant at = i < 7 ? Instant.ofEpochSecond(SHARED, (900 - 100L * i) * 1_000_000L)
                        : Instant.ofEpochSecond(SHARED + 60L * (i - 10));
                Map<String, String> metadata = new HashMap<>();
                if (i % 3 != 0) {
                    metadata.put("tier", i % 3 == 1 ? "Gold" : "silver");
                }
                metadata.put("n", String.valueOf(i));
                Seed seed = new Seed(randomId(random), account, at, 1000L * (i % 4 + 1), i % 2 == 0 ? "usd" : "eur",
                        switch (i % 3) {
                            case 0 -> "cus_A";
                            case 1 -> "cus_b";
                            default -> null;
                        }, Map.copyOf(metadata));
                seeds.add(seed);
                table.insert(new PaymentIntentCreated(seed.id(), account, seed.amount(), seed.currency(),
                        seed.customer(), null, seed.metadata(), List.of("card"), CaptureMethod.AUTOMATIC,
                        ConfirmationMethod.AUTOMATIC, null, null,
                        PaymentIntentStatus.REQUIRES_PAYMENT_METHOD, at), 0);
            }
        }
    }

    private static String randomId(Random random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder("pi_");
        for (int i = 0; i < 14; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    private List<String> expected(Predicate<Seed> matches) {
        return seeds.stream().filter(s -> s.accountId().equals(ACCOUNT)).filter(matches).sorted(LIST_ORDER)
                .map(Seed::id).toList();
    }

    private static Clause is(Field field, Operator operator, String value) {
        return Clause.of(field, operator, value);
    }

    static Stream<Arguments> queries() {
        long shared = SHARED;
        return Stream.of(
                arguments("status", is(Field.STATUS, Operator.EQUALS, "REQUIRES_payment_method"),
                        (Predicate<Seed>) s -> true),
                arguments("status null", is(Field.STATUS, Operator.EQUALS, null), (Predicate<Seed>) s -> false),
                arguments("currency", is(Field.CURRENCY, Operator.EQUALS, "EUR"),
                        (Predicate<Seed>) s -> s.currency().equals("eur")),
                arguments("customer, whatever the case", is(Field.CUSTOMER, Operator.EQUALS, "cus_a"),
                        (Predicate<Seed>) s -> "cus_A".equals(s.customer())),
                arguments("customer null", is(Field.CUSTOMER, Operator.EQUALS, null),
                        (Predicate<Seed>) s -> s.customer() == null),
                arguments("not customer includes intents without one",
                        new Not(is(Field.CUSTOMER, Operator.EQUALS, "cus_b")),
                        (Predicate<Seed>) s -> !"cus_b".equals(s.customer())),
                arguments("metadata, whatever the value's case", Clause.metadata("tier", "gold"),
                        (Predicate<Seed>) s -> "Gold".equals(s.metadata().get("tier"))),
                arguments("metadata keys are case-sensitive", Clause.metadata("Tier", "gold"),
                        (Predicate<Seed>) s -> false),
                arguments("metadata key absent", Clause.metadata("tier", null),
                        (Predicate<Seed>) s -> !s.metadata().containsKey("tier")),
                arguments("metadata key present", new Not(Clause.metadata("tier", null)),
                        (Predicate<Seed>) s -> s.metadata().containsKey("tier")),
                arguments("not metadata includes intents without the key", new Not(Clause.metadata("tier", "silver")),
                        (Predicate<Seed>) s -> !"silver".equals(s.metadata().get("tier"))),
                arguments("amount equal", is(Field.AMOUNT, Operator.EQUALS, "2000"),
                        (Predicate<Seed>) s -> s.amount() == 2000),
                arguments("amount greater", is(Field.AMOUNT, Operator.GREATER_THAN, "2000"),
                        (Predicate<Seed>) s -> s.amount() > 2000),
                arguments("amount at least", is(Field.AMOUNT, Operator.GREATER_THAN_OR_EQUAL, "2000"),
                        (Predicate<Seed>) s -> s.amount() >= 2000),
                arguments("amount less", is(Field.AMOUNT, Operator.LESS_THAN, "2000"),
                        (Predicate<Seed>) s -> s.amount() < 2000),
                arguments("amount at most", is(Field.AMOUNT, Operator.LESS_THAN_OR_EQUAL, "2000"),
                        (Predicate<Seed>) s -> s.amount() <= 2000),
                arguments("created in the shared second", is(Field.CREATED, Operator.EQUALS, String.valueOf(shared)),
                        (Predicate<Seed>) s -> s.created() == shared),
                arguments("created range", new And(List.of(
                                is(Field.CREATED, Operator.GREATER_THAN, String.valueOf(shared - 120)),
                                is(Field.CREATED, Operator.LESS_THAN_OR_EQUAL, String.valueOf(shared)))),
                        (Predicate<Seed>) s -> s.created() > shared - 120 && s.created() <= shared),
                arguments("and", new And(List.of(is(Field.CURRENCY, Operator.EQUALS, "usd"),
                                Clause.metadata("tier", "silver"))),
                        (Predicate<Seed>) s -> s.currency().equals("usd") && "silver".equals(s.metadata().get("tier"))),
                arguments("or", new Or(List.of(is(Field.AMOUNT, Operator.EQUALS, "1000"),
                                is(Field.CUSTOMER, Operator.EQUALS, null))),
                        (Predicate<Seed>) s -> s.amount() == 1000 || s.customer() == null),
                arguments("a tree Stripe's language cannot write", new Or(List.of(
                                new And(List.of(is(Field.CURRENCY, Operator.EQUALS, "usd"),
                                        new Not(is(Field.AMOUNT, Operator.EQUALS, "1000")))),
                                new Not(new Or(List.of(Clause.metadata("tier", null),
                                        is(Field.CURRENCY, Operator.EQUALS, "usd")))))),
                        (Predicate<Seed>) s -> (s.currency().equals("usd") && s.amount() != 1000)
                                || !(!s.metadata().containsKey("tier") || s.currency().equals("usd"))),
                arguments("a value that looks like SQL", is(Field.CUSTOMER, Operator.EQUALS, "x' OR '1'='1"),
                        (Predicate<Seed>) s -> false),
                arguments("a key that looks like SQL", Clause.metadata("n') IS NULL OR ('1", null),
                        (Predicate<Seed>) s -> true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queries")
    void aQueryFindsExactlyTheAccountsMatchingIntentsNewestFirst(String description, SearchQuery query,
                                                                 Predicate<Seed> matches) {
        PaymentIntentSearchResult result = search.search(new SearchPaymentIntents(ACCOUNT, query, 100, null));

        assertThat(result.data()).extracting(PaymentIntentView::id).containsExactlyElementsOf(expected(matches));
        assertThat(result.data()).allSatisfy(view -> assertThat(view.accountId()).isEqualTo(ACCOUNT));
        assertThat(result.totalCount()).isEqualTo(expected(matches).size());
        assertThat(result.hasMore()).isFalse();
        assertThat(result.nextPage()).isNull();
    }

    @Test
    void pagesCutInsideOneSecondNeitherRepeatNorSkip() {
        for (PaymentIntentSearch handler : List.of(search, searchInTransactions)) {
            for (int limit = 1; limit <= 5; limit++) {
                List<String> seen = new ArrayList<>();
                String page = null;
                int pages = 0;
                do {
                    PaymentIntentSearchResult result = handler.search(new SearchPaymentIntents(ACCOUNT,
                            new Not(is(Field.STATUS, Operator.EQUALS, "canceled")), limit, page));
                    assertThat(result.data().size()).isLessThanOrEqualTo(limit);
                    assertThat(result.totalCount()).isEqualTo(14);
                    assertThat(result.nextPage() != null).isEqualTo(result.hasMore());
                    result.data().forEach(view -> seen.add(view.id()));
                    page = result.nextPage();
                    pages++;
                } while (page != null);

                assertThat(seen).as("limit %d", limit).containsExactlyElementsOf(expected(s -> true));
                assertThat(new HashSet<>(seen)).hasSize(14);
                assertThat(pages).isEqualTo((14 + limit - 1) / limit);
            }
        }
    }

    @Test
    void theNeighboursIntentsAreNeverFound() {
        PaymentIntentSearchResult neighbour = search.search(new SearchPaymentIntents(NEIGHBOUR,
                is(Field.AMOUNT, Operator.GREATER_THAN, "0"), 100, null));
        PaymentIntentSearchResult nobody = search.search(new SearchPaymentIntents("acct_nobody",
                is(Field.AMOUNT, Operator.GREATER_THAN, "0"), 100, null));

        assertThat(neighbour.data()).hasSize(14).extracting(PaymentIntentView::accountId).containsOnly(NEIGHBOUR);
        assertThat(nobody.data()).isEmpty();
        assertThat(nobody.totalCount()).isZero();
    }

    @Test
    void aCursorAfterTheLastMatchIsAnEmptyPage() {
        Seed oldest = seeds.stream().filter(s -> s.accountId().equals(ACCOUNT)).min(LIST_ORDER.reversed())
                .orElseThrow();
        String page = new SearchCursor(oldest.created(), oldest.id()).encode();

        PaymentIntentSearchResult result = search.search(new SearchPaymentIntents(ACCOUNT,
                is(Field.AMOUNT, Operator.GREATER_THAN, "0"), 10, page));

        assertThat(result.data()).isEmpty();
        assertThat(result.hasMore()).isFalse();
        assertThat(result.totalCount()).isEqualTo(14);
    }

    @Test
    void aMalformedCursorOrLimitIsRefused() {
        SearchQuery any = is(Field.AMOUNT, Operator.GREATER_THAN, "0");

        assertThatThrownBy(() -> search.search(new SearchPaymentIntents(ACCOUNT, any, 10, "not a cursor")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> search.search(new SearchPaymentIntents(ACCOUNT, any, 0, null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> search.search(new SearchPaymentIntents(ACCOUNT, any, 101, null)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
