package io.paymentintents;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code admin read-model verify} folds every intent's events (read through the upcasters, as the service reads
 * them) and compares the result with the read model, field by field, the charge index included.
 */
class ReadModelVerificationTest extends ServiceTest {

    @Autowired
    private EmbeddedPostgres sharedPostgres;

    @Test
    void aDeliberatelyCorruptedRowIsReportedFieldByFieldWithBothValues() {
        String id = createIntent("{\"amount\": 5000, \"currency\": \"eur\", \"capture_method\": \"manual\", "
                + "\"payment_method\": \"pm_card_visa\", \"confirm\": true, \"metadata\": {\"order\": \"1042\"}}");
        Reply captured = postJson("/v1/payment_intents/" + id + "/capture", "{\"amount_to_capture\": 4000}");
        String charge = captured.body().get("latest_charge").asText();
        assertThat(verify().status()).as("before the corruption").isZero();

        jdbc.update("UPDATE payment_intents SET amount_received = 1, metadata = '{\"order\": \"1043\"}' WHERE id = ?",
                id);
        jdbc.update("DELETE FROM payment_intent_charges WHERE charge_id = ?", charge);
        Admin.Run corrupted;
        try {
            corrupted = verify();
        } finally {
            jdbc.update("UPDATE payment_intents SET amount_received = 4000, metadata = '{\"order\": \"1042\"}' "
                    + "WHERE id = ?", id);
            jdbc.update("INSERT INTO payment_intent_charges VALUES (?, ?, 'acct_default')", charge, id);
        }

        assertThat(corrupted.status()).as(corrupted.toString()).isEqualTo(3);
        assertThat(corrupted.out().lines()).containsExactly(
                id + "  amount_received  read model: 1  events: 4000",
                id + "  metadata  read model: {\"order\":\"1043\"}  events: {\"order\":\"1042\"}",
                id + "  payment_intent_charges  read model: {}  events: {\"" + charge + "\":\"" + id
                        + " acct_default\"}",
                corrupted.out().lines().reduce((first, last) -> last).orElseThrow());
        assertThat(corrupted.out()).matches("(?s).*Checked \\d+ intents \\(\\d+ events\\) against their events: "
                + "3 difference\\(s\\) in 1 intent\\(s\\)\\.\\n");
        assertThat(corrupted.err()).contains("Comparing 1 intent(s) again for up to 1 s");
        assertThat(verify().status()).as("repaired").isZero();
    }

    private Admin.Run verify() {
        return Admin.run(sharedPostgres, "read-model", "verify", "--settle", "1s");
    }
}
