package io.paymentintents.gateway;

import io.paymentintents.api.PaymentIntentStatus;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.query.PaymentIntentSearchResult;
import io.paymentintents.api.query.SearchCursor;
import io.paymentintents.api.query.SearchPaymentIntents;
import io.paymentintents.api.query.SearchQuery;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;
import io.paymentintents.gateway.web.StripeObjects;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * {@code GET /v1/payment_intents/search}: Stripe's search query language over the account's intents. Unlike
 * Stripe's search, which trails writes by up to a minute, this reads the read model that every write response waits
 * for: an intent is searchable as soon as the request that created or changed it has answered.
 */
@RestController
public class PaymentIntentSearchController {

    static final String URL = "/v1/payment_intents/search";
    private static final Set<String> PARAMS = Set.of("query", "limit", "page", "expand");
    private static final int MAX_PAGE_LENGTH = 5000;

    private final QueryGateway queries;

    public PaymentIntentSearchController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping(path = URL, produces = "application/json")
    public Map<String, Object> search(Caller caller, Params params) {
        params.allowOnly(PARAMS);
        Expansion expansion = Expansion.forSearch(params);
        String text = params.requiredString("query");
        int limit = params.pageLimit();
        String page = params.nonEmptyString("page").orElse(null);
        if (page != null && (page.length() > MAX_PAGE_LENGTH || SearchCursor.decode(page).isEmpty())) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "page",
                    "Invalid page: it must be a next_page value returned by a previous search."));
        }
        SearchQuery query = SearchQueryParser.parse(text);
        requireKnownStatuses(query);

        PaymentIntentSearchResult result = ask(new SearchPaymentIntents(caller.accountId(), query, limit, page));

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "search_result");
        List<Map<String, Object>> data = result.data().stream()
                .map(intent -> StripeObjects.paymentIntent(intent, expansion)).toList();
        body.put("data", data);
        body.put("has_more", result.hasMore());
        body.put("next_page", result.nextPage());
        body.put("url", URL);
        body.put("total_count", result.totalCount());
        return body;
    }

    private PaymentIntentSearchResult ask(SearchPaymentIntents query) {
        try {
            return queries.query(query, ResponseTypes.instanceOf(PaymentIntentSearchResult.class)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** A status no intent can have is a mistake in the query, as it is in a list filter: 400, not an empty result. */
    private static void requireKnownStatuses(SearchQuery query) {
        if (query instanceof SearchQuery.Clause clause) {
            if (clause.field() == SearchQuery.Field.STATUS && clause.value() != null && PaymentIntentStatus
                    .fromWireName(clause.value().toLowerCase(java.util.Locale.ROOT)).isEmpty()) {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "query",
                        "Invalid query: unknown status '" + clause.value() + "'. Statuses are: "
                                + java.util.Arrays.stream(PaymentIntentStatus.values())
                                .map(PaymentIntentStatus::wireName)
                                .collect(java.util.stream.Collectors.joining(", ")) + "."));
            }
        } else if (query instanceof SearchQuery.And and) {
            and.queries().forEach(PaymentIntentSearchController::requireKnownStatuses);
        } else if (query instanceof SearchQuery.Or or) {
            or.queries().forEach(PaymentIntentSearchController::requireKnownStatuses);
        } else if (query instanceof SearchQuery.Not not) {
            requireKnownStatuses(not.query());
        }
    }
}
