package io.paymentintents.gateway;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.query.SearchQuery;
import io.paymentintents.api.query.SearchQuery.Clause;
import io.paymentintents.api.query.SearchQuery.Field;
import io.paymentintents.api.query.SearchQuery.Operator;
import io.paymentintents.gateway.web.ApiException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Stripe's search query language (docs.stripe.com/search) over the fields of a PaymentIntent, by recursive descent:
 *
 * <pre>
 * query    = ws* clause ( separator clause ){0,9} ws*
 * separator= ws+ ( ("AND" | "OR") ws+ )?          -- a bare space means AND; keywords are case-insensitive
 * clause   = "-"? field operator value            -- "-" negates the clause
 * field    = "amount" | "created" | "currency" | "customer" | "status" | "metadata[" quoted "]"
 * operator = ":" | ">=" | "<=" | ">" | "<"        -- comparisons on the numeric fields only
 * value    = quoted | integer | "null"            -- null (case-insensitive): the field is absent
 * quoted   = '"' ( "\" any | [^"\] )* '"'  |  "'" ( "\" any | [^'\] )* "'"
 * </pre>
 *
 * As in Stripe: AND and OR cannot be mixed in one query, there are no parentheses, at most 10 clauses, strings must
 * be quoted while integers need not be, and {@code ~} (substring) is not available because every PaymentIntent
 * field is a token or a number. Every error is a 400 on {@code query} naming the position (0-based, in characters)
 * and what was expected there.
 */
public final class SearchQueryParser {

    public static final int MAX_LENGTH = 5000;
    public static final int MAX_CLAUSES = 10;

    private static final Map<String, Field> FIELDS = new TreeMap<>(Arrays.stream(Field.values())
            .collect(Collectors.toMap(Field::wireName, field -> field)));
    private static final String FIELD_LIST = String.join(", ", FIELDS.keySet());
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
    private static final String OPERATORS = "':' (exact match), or '>', '<', '>=', '<=' (amount and created only)";

    private final String text;
    private int position;

    private SearchQueryParser(String text) {
        this.text = text;
    }

    /** The query a client's search string means; throws {@link InvalidQuery} when it is not well formed. */
    public static SearchQuery parse(String query) {
        if (query.length() > MAX_LENGTH) {
            throw new InvalidQuery(MAX_LENGTH, "Invalid query: the query is longer than " + MAX_LENGTH
                    + " characters.");
        }
        return new SearchQueryParser(query).query();
    }

    /** A malformed query: 400 {@code parameter_invalid_string} on {@code query}. */
    public static final class InvalidQuery extends ApiException {
        private final int position;

        InvalidQuery(int position, String message) {
            super(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "query", message));
            this.position = position;
        }

        /** Where in the query the problem is, counted in characters from 0. */
        public int position() {
            return position;
        }
    }

    private enum Combinator { AND, OR }

    private SearchQuery query() {
        skipSpaces();
        if (atEnd()) {
            throw error(position, "expected a clause at position " + position + ", but the query is empty. A clause"
                    + " is a field, an operator and a value, e.g. status:\"succeeded\".");
        }
        List<SearchQuery> clauses = new ArrayList<>();
        clauses.add(clause());
        Combinator combinator = null;
        String combinatorDescription = null;
        while (true) {
            int separatorStart = position;
            skipSpaces();
            if (atEnd()) {
                break;
            }
            if (position == separatorStart) {
                throw peek() == '(' || peek() == ')' ? parenthesis()
                        : error(position, "expected a space, AND or OR at position " + position + " after a clause, "
                        + "found " + describe(position) + ".");
            }
            Combinator found = Combinator.AND;
            int separatorAt = separatorStart;
            String description = "a space (which means AND) at position " + separatorStart;
            String keyword = keywordAt(position);
            if (keyword != null) {
                found = Combinator.valueOf(keyword.toUpperCase(Locale.ROOT));
                description = keyword + " at position " + position;
                separatorAt = position;
                int keywordAt = position;
                position += keyword.length(); // a keyword is always followed by a space or the end
                skipSpaces();
                if (atEnd()) {
                    throw error(position, "expected a clause at position " + position + " after " + keyword
                            + " at position " + keywordAt + ", found the end of the query.");
                }
            }
            if (combinator != null && combinator != found) {
                throw error(separatorAt,
                        "AND and OR cannot be combined in one query: " + description + " follows "
                                + combinatorDescription + ". Parentheses are not supported, so use either only AND "
                                + "or only OR.");
            }
            if (combinator == null) {
                combinator = found;
                combinatorDescription = description;
            }
            if (clauses.size() == MAX_CLAUSES) {
                throw error(position, "too many clauses: the clause at position " + position + " is clause "
                        + (MAX_CLAUSES + 1) + ", and a query can combine at most " + MAX_CLAUSES + ".");
            }
            clauses.add(clause());
        }
        if (clauses.size() == 1) {
            return clauses.get(0);
        }
        return combinator == Combinator.OR ? new SearchQuery.Or(clauses) : new SearchQuery.And(clauses);
    }

    private SearchQuery clause() {
        String keyword = keywordAt(position);
        if (keyword != null) {
            throw error(position, "expected a clause at position " + position + ", found the keyword " + keyword
                    + ".");
        }
        boolean negated = false;
        if (peek() == '-') {
            negated = true;
            position++;
        }
        int fieldStart = position;
        String name = identifier();
        if (name.isEmpty()) {
            if (peek() == '(' || peek() == ')') {
                throw parenthesis();
            }
            throw error(position, "expected a field name at position " + position + (negated ? " after '-'" : "")
                    + ", found " + describe(position) + ". Fields you can search on are: " + FIELD_LIST + ".");
        }
        Field field = FIELDS.get(name);
        if (field == null) {
            throw error(fieldStart, "unknown field '" + name + "' at position " + fieldStart
                    + ". Fields you can search on are: " + FIELD_LIST + ".");
        }
        String metadataKey = field == Field.METADATA ? metadataKey(fieldStart) : null;
        String fieldText = text.substring(fieldStart, position);
        Operator operator = operator(field, fieldText);
        String value = value(field, operator, fieldText);
        Clause clause = new Clause(field, metadataKey, operator, value);
        return negated ? new SearchQuery.Not(clause) : clause;
    }

    private String metadataKey(int fieldStart) {
        if (peek() != '[') {
            throw error(fieldStart, "metadata at position " + fieldStart + " needs a key in brackets, e.g. "
                    + "metadata[\"order_id\"]:\"6735\".");
        }
        position++;
        if (peek() != '"' && peek() != '\'') {
            throw error(position, "expected a quoted metadata key at position " + position + ", found "
                    + describe(position) + ", e.g. metadata[\"order_id\"].");
        }
        int keyStart = position;
        String key = quoted();
        if (key.isEmpty()) {
            throw error(keyStart, "the metadata key at position " + keyStart + " is empty.");
        }
        if (peek() != ']') {
            throw error(position, "expected ']' at position " + position + " to close the metadata key, found "
                    + describe(position) + ".");
        }
        position++;
        return key;
    }

    private Operator operator(Field field, String fieldText) {
        int at = position;
        Operator operator;
        if (text.startsWith(">=", at)) {
            operator = Operator.GREATER_THAN_OR_EQUAL;
        } else if (text.startsWith("<=", at)) {
            operator = Operator.LESS_THAN_OR_EQUAL;
        } else if (peek() == '>') {
            operator = Operator.GREATER_THAN;
        } else if (peek() == '<') {
            operator = Operator.LESS_THAN;
        } else if (peek() == ':') {
            operator = Operator.EQUALS;
        } else if (peek() == '~') {
            throw error(at, "the operator '~' at position " + at + " cannot be used on " + field.wireName()
                    + ", which supports " + supported(field) + ".");
        } else {
            throw error(at, "expected an operator after " + fieldText + " at position " + at + ", found "
                    + describe(at) + ". Operators are " + OPERATORS + ".");
        }
        String symbol = operator.symbol();
        if (operator != Operator.EQUALS && !field.numeric()) {
            throw error(at, "the operator '" + symbol + "' at position " + at + " cannot be used on "
                    + field.wireName() + ", which supports " + supported(field) + ".");
        }
        position += symbol.length();
        return operator;
    }

    private InvalidQuery parenthesis() {
        return error(position, "parentheses are not supported (found '" + peek() + "' at position " + position
                + "). Combine clauses with either only AND or only OR.");
    }

    private static String supported(Field field) {
        return field.numeric() ? "':', '>', '<', '>=' and '<='" : "only ':' (exact match)";
    }

    private String value(Field field, Operator operator, String fieldText) {
        int at = position;
        if (atEnd() || isSpace(peek())) {
            throw error(at, "expected a value after " + fieldText + operator.symbol() + " at position " + at
                    + ", found " + describe(at) + ".");
        }
        if (peek() == '"' || peek() == '\'') {
            String value = quoted();
            if (field.numeric() && !INTEGER.matcher(value).matches()) {
                throw error(at, field.wireName() + " at position " + at + " needs an integer value, found "
                        + quote(value) + ".");
            }
            return field.numeric() ? String.valueOf(Long.parseLong(value)) : value;
        }
        String bare = bareWord();
        if (bare.isEmpty()) {
            throw error(at, "expected a value after " + fieldText + operator.symbol() + " at position " + at
                    + ", found " + describe(at) + ".");
        }
        if (bare.equalsIgnoreCase("null")) {
            if (operator != Operator.EQUALS) {
                throw error(at, "null at position " + at + " can only be used with ':' (the field is absent), not "
                        + "with '" + operator.symbol() + "'.");
            }
            return null;
        }
        if (INTEGER.matcher(bare).matches()) {
            return field.numeric() ? String.valueOf(Long.parseLong(bare)) : bare; // quotes are optional on numbers
        }
        if (field.numeric()) {
            throw error(at, field.wireName() + " at position " + at + " needs an integer value, found "
                    + quote(bare) + ".");
        }
        throw error(at, "the value " + quote(bare) + " at position " + at + " must be in quotation marks, e.g. "
                + fieldText + ":\"" + bare + "\".");
    }

    /** A string in double or single quotes, in which a backslash takes the next character literally. */
    private String quoted() {
        int start = position;
        char quote = text.charAt(position++);
        StringBuilder value = new StringBuilder();
        while (!atEnd()) {
            char c = text.charAt(position++);
            if (c == quote) {
                return value.toString();
            }
            if (c == '\\') {
                if (atEnd()) {
                    break;
                }
                c = text.charAt(position++);
            }
            value.append(c);
        }
        throw error(start, "unterminated string starting at position " + start + ": expected a closing " + quote
                + ".");
    }

    /** Letters, digits and underscores: a field name or a keyword. */
    private String identifier() {
        int start = position;
        while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '.')) {
            position++;
        }
        return text.substring(start, position);
    }

    /** An unquoted value: up to the next space, quote, bracket or parenthesis. */
    private String bareWord() {
        int start = position;
        while (!atEnd() && !isSpace(peek()) && "\"'()[]".indexOf(peek()) < 0) {
            position++;
        }
        return text.substring(start, position);
    }

    /** AND or OR (any case) standing alone at {@code at}, or null. */
    private String keywordAt(int at) {
        for (String keyword : new String[]{"AND", "OR"}) {
            int end = at + keyword.length();
            if (text.regionMatches(true, at, keyword, 0, keyword.length())
                    && (end == text.length() || isSpace(text.charAt(end)))) {
                return text.substring(at, end);
            }
        }
        return null;
    }

    private void skipSpaces() {
        while (!atEnd() && isSpace(peek())) {
            position++;
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private boolean atEnd() {
        return position >= text.length();
    }

    private char peek() {
        return atEnd() ? '\0' : text.charAt(position);
    }

    private String describe(int at) {
        if (at >= text.length()) {
            return "the end of the query";
        }
        char c = text.charAt(at);
        return isSpace(c) ? "a space" : "'" + c + "'";
    }

    private static String quote(String value) {
        return "'" + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'";
    }

    private static InvalidQuery error(int position, String problem) {
        return new InvalidQuery(position, "Invalid query: " + problem);
    }
}
