package io.paymentintents;

import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Axon's units of work run in database transactions: a command's events commit together with the deadlines it
 * schedules, and a projection batch's rows commit together with the processor's token. Under Spring Boot 4, Axon's
 * own auto-configuration misses the PlatformTransactionManager (it orders itself after a Boot 3 class name) and
 * would leave every statement to autocommit; docs/benchmarks.md (fix 1) measured what that cost.
 */
class TransactionsTest extends ServiceTest {

    @Autowired
    private TransactionManager axonTransactionManager;

    @Test
    void axonRunsItsUnitsOfWorkInSpringTransactions() {
        assertThat(axonTransactionManager).isInstanceOf(SpringTransactionManager.class);
    }

    /** Rows written in one transaction carry the same xmin (the id of the transaction that wrote them). */
    @Test
    void aCommandsEventsAndTheDeadlineItSchedulesCommitInOneTransaction() {
        String id = createIntent("{\"amount\": 3100, \"currency\": \"usd\", \"capture_method\": \"manual\", "
                + "\"payment_method\": \"pm_card_visa\", \"confirm\": true}");

        String events = jdbc.queryForObject("SELECT string_agg(DISTINCT xmin::text, ',') FROM domain_event_entry "
                + "WHERE aggregate_identifier = ?", String.class, id);
        String deadline = jdbc.queryForObject("SELECT xmin::text FROM scheduled_tasks WHERE task_data IS NOT NULL "
                + "AND position(convert_to(?, 'UTF8') IN task_data) > 0", String.class, id);

        assertThat(events).doesNotContain(",");
        assertThat(deadline).isEqualTo(events);
    }

    @Test
    void aProjectedEventsRowsCommitInOneTransaction() {
        String id = createIntent("{\"amount\": 3200, \"currency\": \"usd\", \"payment_method\": \"pm_card_visa\", "
                + "\"confirm\": true}");

        String intent = jdbc.queryForObject("SELECT xmin::text FROM payment_intents WHERE id = ?", String.class, id);
        String charge = jdbc.queryForObject("SELECT xmin::text FROM payment_intent_charges WHERE payment_intent_id = ?",
                String.class, id);

        assertThat(charge).isEqualTo(intent);
    }
}
