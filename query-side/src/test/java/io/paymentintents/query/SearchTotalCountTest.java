package io.paymentintents.query;

import io.paymentintents.api.query.PaymentIntentSearchResult;
import io.paymentintents.api.query.SearchPaymentIntents;
import io.paymentintents.api.query.SearchQuery.Clause;
import io.paymentintents.api.query.SearchQuery.Field;
import io.paymentintents.api.query.SearchQuery.Operator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/** total_count is exact up to 10,000 and reads 10,000 beyond, as Stripe's is "only accurate up to 10,000". */
class SearchTotalCountTest {

    private static final String ACCOUNT = "acct_count_cap";

    private final PaymentIntentSearch search = new PaymentIntentSearch(
            new NamedParameterJdbcTemplate(QueryDatabase.dataSource()), QueryDatabase.newTable(),
            new DefaultListableBeanFactory().getBeanProvider(PlatformTransactionManager.class));

    private void insert(int count, long amount) {
        QueryDatabase.jdbc().update("""
                INSERT INTO payment_intents (id, account_id, version, status, amount, currency, payment_method_types,
                    capture_method, confirmation_method, created, created_at, updated_at)
                SELECT 'pi_cap_' || ? || '_' || n, ?, 0, 'requires_payment_method', ?, 'usd', '["card"]',
                    'automatic', 'automatic', 1700000000 + n, now(), now()
                FROM generate_series(1, ?) AS n""", amount, ACCOUNT, amount, count);
    }

    private long totalCount(long amount) {
        PaymentIntentSearchResult result = search.search(new SearchPaymentIntents(ACCOUNT,
                Clause.of(Field.AMOUNT, Operator.EQUALS, Long.toString(amount)), 10, null));
        assertThat(result.data()).hasSize(10);
        return result.totalCount();
    }

    @Test
    void totalCountIsExactUpToTenThousandAndCappedBeyond() {
        QueryDatabase.jdbc().update("DELETE FROM payment_intents WHERE account_id = ?", ACCOUNT);
        insert(9_999, 111);
        insert(10_050, 222);

        assertThat(totalCount(111)).isEqualTo(9_999);
        assertThat(totalCount(222)).isEqualTo(10_000);

        QueryDatabase.jdbc().update("DELETE FROM payment_intents WHERE account_id = ?", ACCOUNT);
    }
}
