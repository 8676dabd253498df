package io.paymentintents.api.query;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Objects;

/**
 * A parsed search query over one account's intents: a tree of clauses. Stripe's language itself only ever yields a
 * single (possibly negated) clause, or a flat {@link And} or {@link Or} of them (it has no parentheses and forbids
 * mixing AND with OR), but the tree is general so that its meaning does not depend on that restriction.
 *
 * <p>Fields are named here, never as columns: the query side decides how each field is stored.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = SearchQuery.Clause.class, name = "clause"),
        @JsonSubTypes.Type(value = SearchQuery.And.class, name = "and"),
        @JsonSubTypes.Type(value = SearchQuery.Or.class, name = "or"),
        @JsonSubTypes.Type(value = SearchQuery.Not.class, name = "not")})
public sealed interface SearchQuery permits SearchQuery.Clause, SearchQuery.And, SearchQuery.Or, SearchQuery.Not {

    /** The fields of a PaymentIntent that can be searched, as Stripe names and types them. */
    enum Field {
        AMOUNT("amount", true),
        CREATED("created", true),
        CURRENCY("currency", false),
        CUSTOMER("customer", false),
        METADATA("metadata", false),
        STATUS("status", false);

        private final String wireName;
        private final boolean numeric;

        Field(String wireName, boolean numeric) {
            this.wireName = wireName;
            this.numeric = numeric;
        }

        public String wireName() {
            return wireName;
        }

        /** Numeric fields compare as integers and take {@code > < >= <=}; the others are tokens (exact match). */
        public boolean numeric() {
            return numeric;
        }
    }

    enum Operator {
        /** {@code :}, exact match: case-insensitive on tokens, equality on numbers. */
        EQUALS(":"),
        GREATER_THAN(">"),
        GREATER_THAN_OR_EQUAL(">="),
        LESS_THAN("<"),
        LESS_THAN_OR_EQUAL("<=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    /**
     * {@code field operator value}. {@code metadataKey} is set exactly when the field is metadata. A null
     * {@code value} is Stripe's {@code null} token (the field is absent), only with {@link Operator#EQUALS}. The value
     * of a numeric field is a decimal integer.
     */
    record Clause(Field field, String metadataKey, Operator operator, String value) implements SearchQuery {

        public Clause {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(operator, "operator");
            if ((field == Field.METADATA) != (metadataKey != null)) {
                throw new IllegalArgumentException("a metadata key is required for metadata, and only for it");
            }
            if (operator != Operator.EQUALS && !field.numeric()) {
                throw new IllegalArgumentException(operator.symbol() + " cannot be used on " + field.wireName());
            }
            if (value == null && operator != Operator.EQUALS) {
                throw new IllegalArgumentException("null can only be matched with :");
            }
            if (value != null && field.numeric()) {
                Long.parseLong(value); // throws NumberFormatException, an IllegalArgumentException
            }
        }

        public static Clause of(Field field, Operator operator, String value) {
            return new Clause(field, null, operator, value);
        }

        public static Clause metadata(String key, String value) {
            return new Clause(Field.METADATA, key, Operator.EQUALS, value);
        }

        /** The value of a numeric field. */
        @JsonIgnore
        public long number() {
            return Long.parseLong(value);
        }
    }

    /** Every one of the queries matches. */
    record And(List<SearchQuery> queries) implements SearchQuery {
        public And {
            queries = List.copyOf(queries);
            if (queries.isEmpty()) {
                throw new IllegalArgumentException("AND of nothing");
            }
        }
    }

    /** At least one of the queries matches. */
    record Or(List<SearchQuery> queries) implements SearchQuery {
        public Or {
            queries = List.copyOf(queries);
            if (queries.isEmpty()) {
                throw new IllegalArgumentException("OR of nothing");
            }
        }
    }

    /**
     * The query does not match. An intent without the field (no customer, no such metadata key) does not match a
     * clause that compares the field with a value, so it does match that clause's negation.
     */
    record Not(SearchQuery query) implements SearchQuery {
        public Not {
            Objects.requireNonNull(query, "query");
        }
    }
}
