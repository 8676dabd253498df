package io.paymentintents.gateway;

import io.paymentintents.api.query.SearchQuery;
import io.paymentintents.api.query.SearchQuery.And;
import io.paymentintents.api.query.SearchQuery.Clause;
import io.paymentintents.api.query.SearchQuery.Field;
import io.paymentintents.api.query.SearchQuery.Not;
import io.paymentintents.api.query.SearchQuery.Operator;
import io.paymentintents.api.query.SearchQuery.Or;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class SearchQueryParserTest {

    private static final String FIELDS = " Fields you can search on are: amount, created, currency, customer, metadata, "
            + "status.";

    private static Clause clause(Field field, Operator operator, String value) {
        return Clause.of(field, operator, value);
    }

    @Nested
    class WellFormedQueries {

        @Test
        void aTokenFieldMatchesAQuotedValueExactly() {
            assertThat(SearchQueryParser.parse("status:\"succeeded\""))
                    .isEqualTo(clause(Field.STATUS, Operator.EQUALS, "succeeded"));
            assertThat(SearchQueryParser.parse("currency:\"eur\""))
                    .isEqualTo(clause(Field.CURRENCY, Operator.EQUALS, "eur"));
            assertThat(SearchQueryParser.parse("customer:\"cus_123\""))
                    .isEqualTo(clause(Field.CUSTOMER, Operator.EQUALS, "cus_123"));
        }

        @Test
        void singleQuotesWorkLikeDoubleQuotesAsInStripesOwnExamples() {
            assertThat(SearchQueryParser.parse("-currency:'usd'"))
                    .isEqualTo(new Not(clause(Field.CURRENCY, Operator.EQUALS, "usd")));
            assertThat(SearchQueryParser.parse("metadata['key']:'value'")).isEqualTo(Clause.metadata("key", "value"));
        }

        @Test
        void aValueKeepsItsCaseAndSpacesForTheQuerySideToCompare() {
            assertThat(SearchQueryParser.parse("customer:\"Cus ABC\""))
                    .isEqualTo(clause(Field.CUSTOMER, Operator.EQUALS, "Cus ABC"));
        }

        @Test
        void aBackslashEscapesAQuoteOrABackslashInsideAString() {
            assertThat(SearchQueryParser.parse("metadata[\"note\"]:\"the story called \\\"The Sky\\\" \\\\o/\""))
                    .isEqualTo(Clause.metadata("note", "the story called \"The Sky\" \\o/"));
            assertThat(SearchQueryParser.parse("metadata['it\\'s']:'it\\'s'")).isEqualTo(Clause.metadata("it's", "it's"));
        }

        @Test
        void metadataKeysMayBeDoubleOrSingleQuotedAndContainAnything() {
            assertThat(SearchQueryParser.parse("metadata[\"donation-id\"]:\"asdf-jkl\""))
                    .isEqualTo(Clause.metadata("donation-id", "asdf-jkl"));
            assertThat(SearchQueryParser.parse("metadata['a b:c']:\"x\"")).isEqualTo(Clause.metadata("a b:c", "x"));
        }

        @Test
        void numericFieldsTakeEveryComparison() {
            assertThat(SearchQueryParser.parse("amount>1000")).isEqualTo(clause(Field.AMOUNT, Operator.GREATER_THAN, "1000"));
            assertThat(SearchQueryParser.parse("amount<1000")).isEqualTo(clause(Field.AMOUNT, Operator.LESS_THAN, "1000"));
            assertThat(SearchQueryParser.parse("amount>=1000"))
                    .isEqualTo(clause(Field.AMOUNT, Operator.GREATER_THAN_OR_EQUAL, "1000"));
            assertThat(SearchQueryParser.parse("amount<=1000"))
                    .isEqualTo(clause(Field.AMOUNT, Operator.LESS_THAN_OR_EQUAL, "1000"));
            assertThat(SearchQueryParser.parse("created>=1700000000"))
                    .isEqualTo(clause(Field.CREATED, Operator.GREATER_THAN_OR_EQUAL, "1700000000"));
        }

        @Test
        void aColonWithANumberIsEquality() {
            assertThat(SearchQueryParser.parse("amount:2000")).isEqualTo(clause(Field.AMOUNT, Operator.EQUALS, "2000"));
            assertThat(SearchQueryParser.parse("created:1700000000"))
                    .isEqualTo(clause(Field.CREATED, Operator.EQUALS, "1700000000"));
        }

        @Test
        void quotesAreOptionalOnNumbersAndAllowedOnNumericFields() {
            assertThat(SearchQueryParser.parse("amount>=\"10\""))
                    .isEqualTo(clause(Field.AMOUNT, Operator.GREATER_THAN_OR_EQUAL, "10"));
            assertThat(SearchQueryParser.parse("customer:0123")).isEqualTo(clause(Field.CUSTOMER, Operator.EQUALS, "0123"));
            assertThat(SearchQueryParser.parse("amount>-5")).isEqualTo(clause(Field.AMOUNT, Operator.GREATER_THAN, "-5"));
        }

        @Test
        void nullInAnyCaseIsTheAbsenceTokenButQuotedNullIsAString() {
            assertThat(SearchQueryParser.parse("metadata[\"k\"]:null")).isEqualTo(Clause.metadata("k", null));
            assertThat(SearchQueryParser.parse("customer:NULL")).isEqualTo(clause(Field.CUSTOMER, Operator.EQUALS, null));
            assertThat(SearchQueryParser.parse("-metadata[\"donation-id\"]:null"))
                    .isEqualTo(new Not(Clause.metadata("donation-id", null)));
            assertThat(SearchQueryParser.parse("customer:\"null\""))
                    .isEqualTo(clause(Field.CUSTOMER, Operator.EQUALS, "null"));
        }

        @Test
        void aSpaceCombinesClausesWithAnd() {
            assertThat(SearchQueryParser.parse("status:\"succeeded\" amount>1000")).isEqualTo(new And(List.of(
                    clause(Field.STATUS, Operator.EQUALS, "succeeded"), clause(Field.AMOUNT, Operator.GREATER_THAN, "1000"))));
        }

        @Test
        void andAndOrAreCaseInsensitiveKeywords() {
            SearchQuery and = new And(List.of(clause(Field.CURRENCY, Operator.EQUALS, "usd"),
                    clause(Field.AMOUNT, Operator.EQUALS, "500")));
            assertThat(SearchQueryParser.parse("currency:\"usd\" AND amount:500")).isEqualTo(and);
            assertThat(SearchQueryParser.parse("currency:\"usd\" and amount:500")).isEqualTo(and);
            assertThat(SearchQueryParser.parse("currency:\"usd\" And amount:500")).isEqualTo(and);
            SearchQuery or = new Or(List.of(clause(Field.CURRENCY, Operator.EQUALS, "usd"),
                    clause(Field.CURRENCY, Operator.EQUALS, "eur")));
            assertThat(SearchQueryParser.parse("currency:\"usd\" OR currency:\"eur\"")).isEqualTo(or);
            assertThat(SearchQueryParser.parse("currency:\"usd\" or currency:\"eur\"")).isEqualTo(or);
        }

        @Test
        void explicitAndMixesWithImplicitAnd() {
            assertThat(SearchQueryParser.parse("status:\"a\" AND status:\"b\" status:\"c\"")).isEqualTo(new And(List.of(
                    clause(Field.STATUS, Operator.EQUALS, "a"), clause(Field.STATUS, Operator.EQUALS, "b"),
                    clause(Field.STATUS, Operator.EQUALS, "c"))));
        }

        @Test
        void aMinusNegatesOneClause() {
            assertThat(SearchQueryParser.parse("-status:\"canceled\" OR amount<100")).isEqualTo(new Or(List.of(
                    new Not(clause(Field.STATUS, Operator.EQUALS, "canceled")),
                    clause(Field.AMOUNT, Operator.LESS_THAN, "100"))));
        }

        @Test
        void surroundingAndRepeatedWhitespaceIsIgnored() {
            assertThat(SearchQueryParser.parse("  status:\"a\"\t AND \n amount>1  ")).isEqualTo(new And(List.of(
                    clause(Field.STATUS, Operator.EQUALS, "a"), clause(Field.AMOUNT, Operator.GREATER_THAN, "1"))));
        }

        @Test
        void aKeywordGluedToAFieldIsNotAKeyword() {
            // "ORstatus" is read as a field name, which does not exist
            assertThat(error("status:\"a\" ORstatus:\"b\"")).isEqualTo(
                    "Invalid query: unknown field 'ORstatus' at position 11." + FIELDS);
        }

        @Test
        void tenClausesAreAllowed() {
            String ten = String.join(" OR ", java.util.Collections.nCopies(10, "amount:1"));
            assertThat(((Or) SearchQueryParser.parse(ten)).queries()).hasSize(10);
        }
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("only spaces", "   ", 3, "Invalid query: expected a clause at position 3, but the query is "
                        + "empty. A clause is a field, an operator and a value, e.g. status:\"succeeded\"."),
                arguments("unknown field", "colour:\"red\"", 0, "Invalid query: unknown field 'colour' at position 0."
                        + FIELDS),
                arguments("unknown field after a clause", "status:\"a\" AND colour:\"red\"", 15,
                        "Invalid query: unknown field 'colour' at position 15." + FIELDS),
                arguments("field names are case-sensitive", "Status:\"a\"", 0,
                        "Invalid query: unknown field 'Status' at position 0." + FIELDS),
                arguments("nested field", "payment_method.type:\"card\"", 0,
                        "Invalid query: unknown field 'payment_method.type' at position 0." + FIELDS),
                arguments("no field name", ":\"a\"", 0, "Invalid query: expected a field name at position 0, found "
                        + "':'." + FIELDS),
                arguments("minus without a field", "- status:\"a\"", 1, "Invalid query: expected a field name at "
                        + "position 1 after '-', found a space." + FIELDS),
                arguments("double minus", "--status:\"a\"", 1, "Invalid query: expected a field name at position 1 "
                        + "after '-', found '-'." + FIELDS),
                arguments("opening parenthesis", "(status:\"a\" OR status:\"b\")", 0, "Invalid query: parentheses are "
                        + "not supported (found '(' at position 0). Combine clauses with either only AND or only OR."),
                arguments("parenthesis after a clause", "status:\"a\" (amount>1)", 11, "Invalid query: parentheses "
                        + "are not supported (found '(' at position 11). Combine clauses with either only AND or "
                        + "only OR."),
                arguments("closing parenthesis after a value", "amount>1)", 8, "Invalid query: parentheses are not "
                        + "supported (found ')' at position 8). Combine clauses with either only AND or only OR."),
                arguments("metadata without a key", "metadata:\"x\"", 0, "Invalid query: metadata at position 0 needs "
                        + "a key in brackets, e.g. metadata[\"order_id\"]:\"6735\"."),
                arguments("metadata with an unquoted key", "metadata[order]:\"x\"", 9, "Invalid query: expected a "
                        + "quoted metadata key at position 9, found 'o', e.g. metadata[\"order_id\"]."),
                arguments("metadata with an empty key", "metadata[\"\"]:\"x\"", 9, "Invalid query: the metadata key "
                        + "at position 9 is empty."),
                arguments("metadata key not closed", "metadata[\"k\":\"x\"", 12, "Invalid query: expected ']' at "
                        + "position 12 to close the metadata key, found ':'."),
                arguments("metadata key with an unterminated quote", "metadata[\"k]:\"x", 14, null),
                arguments("missing operator", "status \"a\"", 6, "Invalid query: expected an operator after status "
                        + "at position 6, found a space. Operators are ':' (exact match), or '>', '<', '>=', '<=' "
                        + "(amount and created only)."),
                arguments("equals sign", "amount=1000", 6, "Invalid query: expected an operator after amount at "
                        + "position 6, found '='. Operators are ':' (exact match), or '>', '<', '>=', '<=' (amount "
                        + "and created only)."),
                arguments("field at the end", "status", 6, "Invalid query: expected an operator after status at "
                        + "position 6, found the end of the query. Operators are ':' (exact match), or '>', '<', "
                        + "'>=', '<=' (amount and created only)."),
                arguments("comparison on a token field", "status>\"a\"", 6, "Invalid query: the operator '>' at "
                        + "position 6 cannot be used on status, which supports only ':' (exact match)."),
                arguments("comparison on metadata", "metadata[\"n\"]>=5", 13, "Invalid query: the operator '>=' at "
                        + "position 13 cannot be used on metadata, which supports only ':' (exact match)."),
                arguments("substring on customer", "customer~\"cus\"", 8, "Invalid query: the operator '~' at "
                        + "position 8 cannot be used on customer, which supports only ':' (exact match)."),
                arguments("substring on amount", "amount~\"10\"", 6, "Invalid query: the operator '~' at position 6 "
                        + "cannot be used on amount, which supports ':', '>', '<', '>=' and '<='."),
                arguments("missing value at the end", "status:", 7, "Invalid query: expected a value after status: "
                        + "at position 7, found the end of the query."),
                arguments("space before the value", "status: \"a\"", 7, "Invalid query: expected a value after "
                        + "status: at position 7, found a space."),
                arguments("bracket as the value", "amount>[", 7, "Invalid query: expected a value after amount> at "
                        + "position 7, found '['."),
                arguments("unquoted string value", "status:succeeded", 7, "Invalid query: the value 'succeeded' at "
                        + "position 7 must be in quotation marks, e.g. status:\"succeeded\"."),
                arguments("unquoted metadata value", "metadata[\"k\"]:v1", 14, "Invalid query: the value 'v1' at "
                        + "position 14 must be in quotation marks, e.g. metadata[\"k\"]:\"v1\"."),
                arguments("unterminated value", "status:\"succeeded", 7, "Invalid query: unterminated string "
                        + "starting at position 7: expected a closing \"."),
                arguments("unterminated value ending in a backslash", "status:'a\\", 7, "Invalid query: "
                        + "unterminated string starting at position 7: expected a closing '."),
                arguments("text amount", "amount>abc", 7, "Invalid query: amount at position 7 needs an integer "
                        + "value, found 'abc'."),
                arguments("decimal amount", "amount:10.5", 7, "Invalid query: amount at position 7 needs an integer "
                        + "value, found '10.5'."),
                arguments("quoted text amount", "amount:\"ten\"", 7, "Invalid query: amount at position 7 needs an "
                        + "integer value, found 'ten'."),
                arguments("amount beyond a long", "amount>1234567890123456789012", 7, "Invalid query: amount at "
                        + "position 7 needs an integer value, found '1234567890123456789012'."),
                arguments("text created", "created>=yesterday", 9, "Invalid query: created at position 9 needs an "
                        + "integer value, found 'yesterday'."),
                arguments("null with a comparison", "amount>null", 7, "Invalid query: null at position 7 can only be "
                        + "used with ':' (the field is absent), not with '>'."),
                arguments("text after a value", "status:\"a\"amount>1", 10, "Invalid query: expected a space, AND or "
                        + "OR at position 10 after a clause, found 'a'."),
                arguments("leading AND", "AND status:\"a\"", 0, "Invalid query: expected a clause at position 0, found "
                        + "the keyword AND."),
                arguments("two keywords", "status:\"a\" or OR status:\"b\"", 14, "Invalid query: expected a clause at "
                        + "position 14, found the keyword OR."),
                arguments("trailing AND", "status:\"a\" AND", 14, "Invalid query: expected a clause at position 14 "
                        + "after AND at position 11, found the end of the query."),
                arguments("trailing or with spaces", "status:\"a\" or   ", 16, "Invalid query: expected a clause at "
                        + "position 16 after or at position 11, found the end of the query."),
                arguments("AND then OR", "status:\"a\" AND amount>1 OR amount<5", 24, "Invalid query: AND and OR "
                        + "cannot be combined in one query: OR at position 24 follows AND at position 11. Parentheses "
                        + "are not supported, so use either only AND or only OR."),
                arguments("OR then AND", "status:\"a\" or amount>1 and amount<5", 23, "Invalid query: AND and OR "
                        + "cannot be combined in one query: and at position 23 follows or at position 11. Parentheses "
                        + "are not supported, so use either only AND or only OR."),
                arguments("space then OR", "status:\"a\" amount>1 OR amount<5", 20, "Invalid query: AND and OR "
                        + "cannot be combined in one query: OR at position 20 follows a space (which means AND) at "
                        + "position 10. Parentheses are not supported, so use either only AND or only OR."),
                arguments("OR then space", "status:\"a\" OR amount>1 amount<5", 22, "Invalid query: AND and OR "
                        + "cannot be combined in one query: a space (which means AND) at position 22 follows OR at "
                        + "position 11. Parentheses are not supported, so use either only AND or only OR."),
                arguments("eleven clauses", String.join(" ", java.util.Collections.nCopies(11, "amount:1")), 90,
                        "Invalid query: too many clauses: the clause at position 90 is clause 11, and a query can "
                                + "combine at most 10."),
                arguments("longer than 5000 characters", "metadata[\"k\"]:\"" + "x".repeat(5000) + "\"", 5000,
                        "Invalid query: the query is longer than 5000 characters."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedQueryIsA400OnQueryThatSaysWhereAndWhat(String description, String query, int position,
                                                           String message) {
        SearchQueryParser.InvalidQuery invalid = catchThrowableOfType(SearchQueryParser.InvalidQuery.class,
                () -> SearchQueryParser.parse(query));

        assertThat(invalid).as("expected %s to be rejected", query).isNotNull();
        assertThat(invalid.error().status()).isEqualTo(400);
        assertThat(invalid.error().type()).isEqualTo("invalid_request_error");
        assertThat(invalid.error().code()).isEqualTo("parameter_invalid_string");
        assertThat(invalid.error().param()).isEqualTo("query");
        assertThat(invalid.position()).isEqualTo(position);
        if (message != null) {
            assertThat(invalid.error().message()).isEqualTo(message);
        } else {
            assertThat(invalid.error().message()).startsWith("Invalid query: ").contains("position " + position);
        }
    }

    private static String error(String query) {
        return catchThrowableOfType(SearchQueryParser.InvalidQuery.class, () -> SearchQueryParser.parse(query))
                .error().message();
    }
}
