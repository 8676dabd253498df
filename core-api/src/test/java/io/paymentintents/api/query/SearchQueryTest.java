package io.paymentintents.api.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.query.SearchQuery.And;
import io.paymentintents.api.query.SearchQuery.Clause;
import io.paymentintents.api.query.SearchQuery.Field;
import io.paymentintents.api.query.SearchQuery.Not;
import io.paymentintents.api.query.SearchQuery.Operator;
import io.paymentintents.api.query.SearchQuery.Or;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SearchQueryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSearchTravelsAsJsonAndComesBackEqual() throws Exception {
        SearchQuery query = new Or(List.of(
                new And(List.of(Clause.of(Field.AMOUNT, Operator.GREATER_THAN_OR_EQUAL, "1000"),
                        Clause.metadata("order", null))),
                new Not(Clause.of(Field.STATUS, Operator.EQUALS, "canceled"))));
        SearchPaymentIntents search = new SearchPaymentIntents("acct_1", query, 10,
                new SearchCursor(1700000000L, "pi_1").encode());

        String json = JSON.writeValueAsString(search);

        assertThat(json).doesNotContain("\"number\"");
        assertThat(JSON.readValue(json, SearchPaymentIntents.class)).isEqualTo(search);
    }

    @Test
    void aClauseRefusesWhatTheLanguageCannotSay() {
        assertThatThrownBy(() -> Clause.of(Field.STATUS, Operator.GREATER_THAN, "a"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Clause.of(Field.AMOUNT, Operator.EQUALS, "ten"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Clause.of(Field.AMOUNT, Operator.LESS_THAN, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Clause.of(Field.METADATA, Operator.EQUALS, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Clause(Field.STATUS, "key", Operator.EQUALS, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new And(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCursorDecodesToWhatWasEncoded() {
        SearchCursor cursor = new SearchCursor(1700000000L, "pi_3MtwBwLkdIwHu7ix28a3tqPa");

        assertThat(SearchCursor.decode(cursor.encode())).contains(cursor);
        assertThat(cursor.encode()).doesNotContain("=", "+", "/");
    }

    @Test
    void anythingElseIsNotACursor() {
        assertThat(SearchCursor.decode(null)).isEmpty();
        assertThat(SearchCursor.decode("")).isEmpty();
        assertThat(SearchCursor.decode("%%%")).isEmpty();
        assertThat(SearchCursor.decode(base64("hello"))).isEmpty();
        assertThat(SearchCursor.decode(base64("-5:pi_1"))).isEmpty();
        assertThat(SearchCursor.decode(base64("99999999999999999999:pi_1"))).isEmpty();
        assertThat(SearchCursor.decode(base64("1700000000:pi_1' OR '1'='1"))).isEmpty();
        assertThat(SearchCursor.decode(base64("1700000000:"))).isEmpty();
        assertThat(SearchCursor.decode("A".repeat(5000))).isEmpty();
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
