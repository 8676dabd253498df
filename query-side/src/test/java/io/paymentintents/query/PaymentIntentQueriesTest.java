package io.paymentintents.query;

import io.paymentintents.api.CancellationReason;
import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.event.PaymentIntentCanceled;
import io.paymentintents.api.event.PaymentIntentSucceeded;
import io.paymentintents.api.query.FindPaymentIntent;
import io.paymentintents.api.query.ListPaymentIntents;
import io.paymentintents.api.query.PaymentIntentPage;
import io.paymentintents.api.query.PaymentIntentView;
import org.axonframework.queryhandling.SimpleQueryUpdateEmitter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import static io.paymentintents.api.PaymentIntentStatus.CANCELED;
import static io.paymentintents.api.PaymentIntentStatus.REQUIRES_PAYMENT_METHOD;
import static io.paymentintents.api.PaymentIntentStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query handlers over one data set, written once for the class: 25 intents of one account, 7 of them created
 * in the same second (their sub-second order opposite to their id order), spread over customers and statuses, and
 * a neighbouring account with intents in the same seconds and of the same customer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaymentIntentQueriesTest {

    private static final String ACCOUNT = "acct_lister";
    private static final String NEIGHBOUR = "acct_neighbour";
    /** The second that seven of the account's intents share. */
    private static final long SHARED = Instant.parse("2024-05-01T10:00:00Z").getEpochSecond();
    private static final int SHARING = 7;
    private static final int BEFORE = 9;
    private static final int AFTER = 9;

    private record Seed(String id, String accountId, Instant createdAt, String customer, PaymentIntentStatus status) {

        long created() {
            return createdAt.getEpochSecond();
        }
    }

    /** List order: newest second first, then id descending. */
    private static final Comparator<Seed> LIST_ORDER = Comparator.comparingLong(Seed::created)
            .thenComparing(Seed::id).reversed();

    private final List<Seed> seeds = new ArrayList<>();
    private PaymentIntentTable table;
    private PaymentIntentQueries queries;

    @BeforeAll
    void writeTheDataSet() {
        QueryDatabase.deleteAllPaymentIntents();
        table = QueryDatabase.newTable();
        queries = new PaymentIntentQueries(table, QueryDatabase.CLIENT_SECRETS);
        Random random = new Random(20240501);
        List<String> sharedIds = new ArrayList<>();
        for (int i = 0; i < SHARING; i++) {
            sharedIds.add(randomId(random));
        }
        sharedIds.sort(Comparator.naturalOrder());
        for (int i = 0; i < SHARING; i++) {
            // later within the second means a smaller id: ordering by created_at instead of created would show
            seeds.add(seed(sharedIds.get(i), ACCOUNT, Instant.ofEpochSecond(SHARED, (900 - 100L * i) * 1_000_000L), i));
        }
        for (int i = 1; i <= BEFORE; i++) {
            seeds.add(seed(randomId(random), ACCOUNT, Instant.ofEpochSecond(SHARED - 60L * i, 500_000_000L), i + 7));
        }
        for (int i = 1; i <= AFTER; i++) {
            seeds.add(seed(randomId(random), ACCOUNT, Instant.ofEpochSecond(SHARED + 60L * i), i + 3));
        }
        for (int i = 0; i < 6; i++) {
            seeds.add(seed(randomId(random), NEIGHBOUR, Instant.ofEpochSecond(SHARED + 60L * (i - 3)), 0));
        }
        assertThat(seeds.stream().map(Seed::id).distinct()).hasSize(seeds.size());

        PaymentIntentProjection projection = new PaymentIntentProjection(table,
                SimpleQueryUpdateEmitter.builder().build());
        List<Seed> writeOrder = new ArrayList<>(seeds);
        Collections.shuffle(writeOrder, random);
        for (Seed s : writeOrder) {
            projection.on(TestEvents.created(s.id(), s.accountId(), s.customer(), s.createdAt()), 0);
            Instant later = s.createdAt().plusSeconds(1);
            if (s.status() == SUCCEEDED) {
                projection.on(new PaymentIntentSucceeded(s.id(), "pm_card_visa", 2000,
                        TestEvents.capturedCharge("ch_" + s.id(), 2000, "pm_card_visa", later), SUCCEEDED, later), 1);
            } else if (s.status() == CANCELED) {
                projection.on(new PaymentIntentCanceled(s.id(), CancellationReason.ABANDONED, null, CANCELED, later),
                        1);
            }
        }
        assertThat(QueryDatabase.countPaymentIntents()).isEqualTo(seeds.size());
    }

    /** Spreads customers and statuses over the intents: by {@code n}, a third each. */
    private static Seed seed(String id, String accountId, Instant createdAt, int n) {
        String customer = switch (n % 3) {
            case 0 -> "cus_a";
            case 1 -> "cus_b";
            default -> null;
        };
        PaymentIntentStatus status = switch (n % 4) {
            case 0, 1 -> SUCCEEDED;
            case 2 -> CANCELED;
            default -> REQUIRES_PAYMENT_METHOD;
        };
        return new Seed(id, accountId, createdAt, customer, status);
    }

    /** Lowercase letters and digits of one length, so that every collation orders them as Java does. */
    private static String randomId(Random random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder("pi_");
        for (int i = 0; i < 14; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    private List<String> expectedIds(Predicate<Seed> filter) {
        return seeds.stream().filter(s -> s.accountId().equals(ACCOUNT)).filter(filter).sorted(LIST_ORDER)
                .map(Seed::id).toList();
    }

    private List<String> everyId() {
        return expectedIds(s -> true);
    }

    private static ListQuery query() {
        return new ListQuery();
    }

    private PaymentIntentPage list(ListQuery query) {
        return queries.list(query.build());
    }

    private PaymentIntentPage list(UnaryOperator<ListQuery> query) {
        return list(query.apply(query()));
    }

    private static List<String> ids(PaymentIntentPage page) {
        return page.data().stream().map(PaymentIntentView::id).toList();
    }

    private static final class ListQuery {
        String accountId = ACCOUNT;
        String customer;
        PaymentIntentStatus status;
        Long createdGt;
        Long createdGte;
        Long createdLt;
        Long createdLte;
        int limit = 100;
        String startingAfter;
        String endingBefore;

        ListQuery account(String value) {
            accountId = value;
            return this;
        }

        ListQuery customer(String value) {
            customer = value;
            return this;
        }

        ListQuery status(PaymentIntentStatus value) {
            status = value;
            return this;
        }

        ListQuery gt(long value) {
            createdGt = value;
            return this;
        }

        ListQuery gte(long value) {
            createdGte = value;
            return this;
        }

        ListQuery lt(long value) {
            createdLt = value;
            return this;
        }

        ListQuery lte(long value) {
            createdLte = value;
            return this;
        }

        ListQuery limit(int value) {
            limit = value;
            return this;
        }

        ListQuery startingAfter(String id) {
            startingAfter = id;
            return this;
        }

        ListQuery endingBefore(String id) {
            endingBefore = id;
            return this;
        }

        ListPaymentIntents build() {
            return new ListPaymentIntents(accountId, customer, status, createdGt, createdGte, createdLt, createdLte,
                    limit, startingAfter, endingBefore);
        }
    }

    @Nested
    class Find {

        @Test
        void findsAnIntentOfTheAccountWithTheViewTheProjectionWrote() {
            Seed seed = seeds.get(0);

            assertThat(queries.find(new FindPaymentIntent(ACCOUNT, seed.id())))
                    .hasValueSatisfying(view -> {
                        assertThat(view).isEqualTo(table.findById(seed.id()).orElseThrow());
                        assertThat(view.accountId()).isEqualTo(ACCOUNT);
                        assertThat(view.createdAt()).isEqualTo(seed.createdAt());
                    });
        }

        @Test
        void anIntentOfAnotherAccountIsNotFound() {
            String neighboursIntent = seeds.stream().filter(s -> s.accountId().equals(NEIGHBOUR)).findFirst()
                    .orElseThrow().id();

            assertThat(queries.find(new FindPaymentIntent(ACCOUNT, neighboursIntent))).isEmpty();
            assertThat(queries.find(new FindPaymentIntent(NEIGHBOUR, neighboursIntent))).isPresent();
            assertThat(queries.find(new FindPaymentIntent(NEIGHBOUR, seeds.get(0).id()))).isEmpty();
        }

        @Test
        void anUnknownIdIsNotFound() {
            assertThat(queries.find(new FindPaymentIntent(ACCOUNT, "pi_doesnotexist"))).isEmpty();
        }
    }

    @Nested
    class Order {

        @Test
        void listsNewestSecondFirstAndIntentsOfTheSameSecondByIdDescending() {
            PaymentIntentPage page = list(q -> q);

            assertThat(ids(page)).isEqualTo(everyId()).hasSize(SHARING + BEFORE + AFTER);
            assertThat(page.hasMore()).isFalse();
            assertThat(page.cursorFound()).isTrue();
        }

        @Test
        void intentsOfTheSameSecondAreOrderedByIdNotByTheirInstant() {
            List<PaymentIntentView> sameSecond = list(q -> q.gte(SHARED).lte(SHARED)).data();

            assertThat(sameSecond).hasSize(SHARING);
            assertThat(sameSecond).extracting(PaymentIntentView::id)
                    .isSortedAccordingTo(Comparator.<String>naturalOrder().reversed());
            // the seeds were made so that the instants run the other way
            assertThat(sameSecond).extracting(PaymentIntentView::createdAt)
                    .isSortedAccordingTo(Comparator.<Instant>naturalOrder());
        }

        @Test
        void listsOnlyTheAccountsOwnIntents() {
            assertThat(list(q -> q).data()).extracting(PaymentIntentView::accountId).containsOnly(ACCOUNT);
            assertThat(list(q -> q.account(NEIGHBOUR)).data()).hasSize(6)
                    .extracting(PaymentIntentView::accountId).containsOnly(NEIGHBOUR);
        }

        @Test
        void anAccountWithoutIntentsListsAnEmptyPageWithNoMore() {
            PaymentIntentPage page = list(q -> q.account("acct_empty"));

            assertThat(page.data()).isEmpty();
            assertThat(page.hasMore()).isFalse();
            assertThat(page.cursorFound()).isTrue();
        }
    }

    @Nested
    class Paging {

        private List<PaymentIntentPage> walkForward(ListQuery filters, int limit) {
            List<PaymentIntentPage> pages = new ArrayList<>();
            String cursor = null;
            do {
                PaymentIntentPage page = list(filters.limit(limit).startingAfter(cursor));
                assertThat(page.cursorFound()).isTrue();
                pages.add(page);
                cursor = page.data().isEmpty() ? null : page.data().get(page.data().size() - 1).id();
                assertThat(pages).as("pages").hasSizeLessThan(100);
            } while (pages.get(pages.size() - 1).hasMore());
            return pages;
        }

        private List<PaymentIntentPage> walkBackward(ListQuery filters, int limit, String from) {
            List<PaymentIntentPage> pages = new ArrayList<>();
            String cursor = from;
            do {
                PaymentIntentPage page = list(filters.limit(limit).endingBefore(cursor));
                assertThat(page.cursorFound()).isTrue();
                pages.add(page);
                cursor = page.data().isEmpty() ? null : page.data().get(0).id();
                assertThat(pages).as("pages").hasSizeLessThan(100);
            } while (pages.get(pages.size() - 1).hasMore());
            return pages;
        }

        private static List<String> concatenated(List<PaymentIntentPage> pages) {
            return pages.stream().flatMap(page -> ids(page).stream()).toList();
        }

        @Test
        void walkingForwardWithStartingAfterVisitsEveryIntentExactlyOnceInOrder() {
            List<PaymentIntentPage> pages = walkForward(query(), 4);

            assertThat(pages).extracting(page -> page.data().size()).containsExactly(4, 4, 4, 4, 4, 4, 1);
            assertThat(pages).extracting(PaymentIntentPage::hasMore)
                    .containsExactly(true, true, true, true, true, true, false);
            assertThat(concatenated(pages)).isEqualTo(everyId()).doesNotHaveDuplicates();
        }

        @Test
        void walkingBackwardWithEndingBeforeFromTheOldestVisitsEveryIntentExactlyOnceInOrder() {
            List<String> every = everyId();
            String oldest = every.get(every.size() - 1);

            List<PaymentIntentPage> pages = walkBackward(query(), 4, oldest);

            assertThat(pages).extracting(page -> page.data().size()).containsExactly(4, 4, 4, 4, 4, 4);
            assertThat(pages).extracting(PaymentIntentPage::hasMore)
                    .containsExactly(true, true, true, true, true, false);
            List<PaymentIntentPage> inListOrder = new ArrayList<>(pages);
            Collections.reverse(inListOrder);
            List<String> visited = new ArrayList<>(concatenated(inListOrder));
            visited.add(oldest);
            assertThat(visited).isEqualTo(every).doesNotHaveDuplicates();
        }

        @Test
        void eachBackwardPageIsInListOrder() {
            List<String> every = everyId();

            PaymentIntentPage page = list(q -> q.limit(4).endingBefore(every.get(12)));

            assertThat(ids(page)).isEqualTo(every.subList(8, 12));
            assertThat(page.hasMore()).isTrue();
        }

        @Test
        void turningBackFromAnyPageGivesExactlyThePreviousPage() {
            List<PaymentIntentPage> pages = walkForward(query(), 4);

            for (int i = 1; i < pages.size(); i++) {
                String firstOfPage = ids(pages.get(i)).get(0);
                PaymentIntentPage back = list(q -> q.limit(4).endingBefore(firstOfPage));
                assertThat(ids(back)).as("back from page %d", i).isEqualTo(ids(pages.get(i - 1)));
                assertThat(back.hasMore()).as("more before page %d", i - 1).isEqualTo(i - 1 > 0);
            }
        }

        @Test
        void pagesThatEndExactlyAtTheLastIntentReportNoMoreAndLeaveNoEmptyPage() {
            List<PaymentIntentPage> pages = walkForward(query(), 5);

            assertThat(pages).extracting(page -> page.data().size()).containsExactly(5, 5, 5, 5, 5);
            assertThat(pages.get(4).hasMore()).isFalse();
            assertThat(concatenated(pages)).isEqualTo(everyId());
        }

        @Test
        void hasMoreTellsWhetherAnythingIsLeftBeyondTheLimit() {
            int total = everyId().size();

            assertThat(list(q -> q.limit(total)).hasMore()).isFalse();
            assertThat(list(q -> q.limit(total)).data()).hasSize(total);
            assertThat(list(q -> q.limit(total - 1)).hasMore()).isTrue();
            assertThat(list(q -> q.limit(total - 1)).data()).hasSize(total - 1);
            assertThat(list(q -> q.limit(1)).hasMore()).isTrue();
        }

        @Test
        void aCursorOnTheLastIntentGivesAnEmptyPageWithNoMore() {
            List<String> every = everyId();

            PaymentIntentPage afterOldest = list(q -> q.limit(4).startingAfter(every.get(every.size() - 1)));
            PaymentIntentPage beforeNewest = list(q -> q.limit(4).endingBefore(every.get(0)));

            assertThat(afterOldest.data()).isEmpty();
            assertThat(afterOldest.hasMore()).isFalse();
            assertThat(afterOldest.cursorFound()).isTrue();
            assertThat(beforeNewest.data()).isEmpty();
            assertThat(beforeNewest.hasMore()).isFalse();
            assertThat(beforeNewest.cursorFound()).isTrue();
        }

        @Test
        void pagingWithFiltersWalksOnlyTheMatchingIntentsInBothDirections() {
            List<String> expected = expectedIds(s -> "cus_a".equals(s.customer()));
            assertThat(expected).hasSizeGreaterThan(4);

            List<PaymentIntentPage> forward = walkForward(query().customer("cus_a"), 2);
            assertThat(concatenated(forward)).isEqualTo(expected);

            String oldest = expected.get(expected.size() - 1);
            List<PaymentIntentPage> backward = walkBackward(query().customer("cus_a"), 2, oldest);
            List<PaymentIntentPage> inListOrder = new ArrayList<>(backward);
            Collections.reverse(inListOrder);
            List<String> visited = new ArrayList<>(concatenated(inListOrder));
            visited.add(oldest);
            assertThat(visited).isEqualTo(expected);
        }

        @Test
        void aCursorTheFiltersExcludeStillMarksAPosition() {
            List<String> every = everyId();
            Seed cursor = seeds.stream().filter(s -> s.id().equals(every.get(10))).findFirst().orElseThrow();
            PaymentIntentStatus other = cursor.status() == SUCCEEDED ? CANCELED : SUCCEEDED;

            PaymentIntentPage page = list(q -> q.status(other).startingAfter(cursor.id()));

            List<String> after = every.subList(11, every.size());
            assertThat(ids(page)).isEqualTo(expectedIds(s -> s.status() == other && after.contains(s.id())));
            assertThat(page.cursorFound()).isTrue();
        }

        @Test
        void aCursorNamingAnotherAccountsIntentIsNotFound() {
            String neighboursIntent = seeds.stream().filter(s -> s.accountId().equals(NEIGHBOUR)).findFirst()
                    .orElseThrow().id();

            for (PaymentIntentPage page : List.of(list(q -> q.limit(4).startingAfter(neighboursIntent)),
                    list(q -> q.limit(4).endingBefore(neighboursIntent)))) {
                assertThat(page.cursorFound()).isFalse();
                assertThat(page.data()).isEmpty();
                assertThat(page.hasMore()).isFalse();
            }
        }

        @Test
        void aCursorNamingAnUnknownIntentIsNotFound() {
            for (PaymentIntentPage page : List.of(list(q -> q.limit(4).startingAfter("pi_unknown")),
                    list(q -> q.limit(4).endingBefore("pi_unknown")))) {
                assertThat(page.cursorFound()).isFalse();
                assertThat(page.data()).isEmpty();
                assertThat(page.hasMore()).isFalse();
            }
        }

        @Test
        void walksDoNotRepeatOrSkipAcrossManyLimits() {
            for (int limit = 1; limit <= 26; limit++) {
                List<String> forward = concatenated(walkForward(query(), limit));
                assertThat(forward).as("limit %d", limit).isEqualTo(everyId());
                Set<String> unique = new HashSet<>(forward);
                assertThat(unique).hasSameSizeAs(forward);
            }
        }
    }

    @Nested
    class Filters {

        @Test
        void byCustomer() {
            assertThat(ids(list(q -> q.customer("cus_a")))).isEqualTo(expectedIds(s -> "cus_a".equals(s.customer())))
                    .isNotEmpty();
            assertThat(ids(list(q -> q.customer("cus_b")))).isEqualTo(expectedIds(s -> "cus_b".equals(s.customer())))
                    .isNotEmpty();
            assertThat(list(q -> q.customer("cus_nobody")).data()).isEmpty();
        }

        @Test
        void byStatus() {
            for (PaymentIntentStatus status : List.of(SUCCEEDED, CANCELED, REQUIRES_PAYMENT_METHOD)) {
                PaymentIntentPage page = list(q -> q.status(status));
                assertThat(ids(page)).as(status.wireName()).isEqualTo(expectedIds(s -> s.status() == status))
                        .isNotEmpty();
                assertThat(page.data()).extracting(PaymentIntentView::status).containsOnly(status);
            }
            assertThat(list(q -> q.status(PaymentIntentStatus.PROCESSING)).data()).isEmpty();
        }

        @Test
        void byCreatedBoundsInWholeSecondsAtTheSharedSecond() {
            assertThat(ids(list(q -> q.gt(SHARED)))).isEqualTo(expectedIds(s -> s.created() > SHARED)).hasSize(AFTER);
            assertThat(ids(list(q -> q.gte(SHARED)))).isEqualTo(expectedIds(s -> s.created() >= SHARED))
                    .hasSize(AFTER + SHARING);
            assertThat(ids(list(q -> q.lt(SHARED)))).isEqualTo(expectedIds(s -> s.created() < SHARED))
                    .hasSize(BEFORE);
            assertThat(ids(list(q -> q.lte(SHARED)))).isEqualTo(expectedIds(s -> s.created() <= SHARED))
                    .hasSize(BEFORE + SHARING);
            assertThat(ids(list(q -> q.gte(SHARED).lte(SHARED)))).hasSize(SHARING);
            assertThat(list(q -> q.gt(SHARED).lt(SHARED + 60)).data()).isEmpty();
        }

        @Test
        void byCreatedBoundsBetweenSeconds() {
            long from = SHARED - 180;
            long to = SHARED + 120;

            assertThat(ids(list(q -> q.gt(from).lt(to))))
                    .isEqualTo(expectedIds(s -> s.created() > from && s.created() < to)).hasSize(2 + SHARING + 1);
            assertThat(ids(list(q -> q.gte(from).lte(to))))
                    .isEqualTo(expectedIds(s -> s.created() >= from && s.created() <= to)).hasSize(3 + SHARING + 2);
        }

        @Test
        void combinedFiltersMustAllHold() {
            Predicate<Seed> expected = s -> "cus_a".equals(s.customer()) && s.status() == SUCCEEDED
                    && s.created() >= SHARED - 300 && s.created() <= SHARED + 300;

            PaymentIntentPage page = list(q -> q.customer("cus_a").status(SUCCEEDED).gte(SHARED - 300)
                    .lte(SHARED + 300));

            assertThat(ids(page)).isEqualTo(expectedIds(expected)).isNotEmpty();
            assertThat(page.data()).allSatisfy(view -> {
                assertThat(view.customer()).isEqualTo("cus_a");
                assertThat(view.status()).isEqualTo(SUCCEEDED);
                assertThat(view.accountId()).isEqualTo(ACCOUNT);
            });
        }

        @Test
        void hasMoreCountsOnlyMatchingIntents() {
            List<String> matching = expectedIds(s -> s.status() == SUCCEEDED);

            assertThat(list(q -> q.status(SUCCEEDED).limit(matching.size())).hasMore()).isFalse();
            assertThat(list(q -> q.status(SUCCEEDED).limit(matching.size() - 1)).hasMore()).isTrue();
        }
    }
}
