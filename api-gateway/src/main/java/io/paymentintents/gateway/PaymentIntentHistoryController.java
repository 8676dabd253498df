package io.paymentintents.gateway;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.history.FindPaymentIntentHistory;
import io.paymentintents.api.history.StoredEvent;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;
import io.paymentintents.gateway.web.JsonLines;
import io.paymentintents.gateway.web.StripeEvents;
import jakarta.servlet.http.HttpServletResponse;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code GET /v1/payment_intents/{id}/history}: the intent's audit trail, every stored event in order with its
 * payload and audit metadata, read from the event store. {@code format=jsonl} streams it as JSON Lines. Secret
 * key only. An intent's events are few (every command on it loads them all), so the list is whole, without
 * pages; the JSON Lines form holds one entry in memory at a time.
 */
@RestController
@RequestMapping("/v1/payment_intents")
public class PaymentIntentHistoryController {

    static final Set<String> PARAMS = Set.of("format");
    private static final List<String> FORMATS = List.of("json", "jsonl");

    private final QueryGateway queries;

    public PaymentIntentHistoryController(QueryGateway queries) {
        this.queries = queries;
    }

    /**
     * The list, or with {@code format=jsonl} the same entries as JSON Lines, streamed from the event store as they
     * are read. One handler for both, so that the format is a parameter like any other: an {@code Accept} header
     * does not choose it.
     */
    @GetMapping("/{id}/history")
    public ResponseEntity<Map<String, Object>> history(Caller caller, Params params, @PathVariable String id,
                                                       HttpServletResponse response) throws IOException {
        PaymentIntentController.requireWellFormed(id);
        params.allowOnly(PARAMS);
        boolean jsonLines = format(params).equals("jsonl");
        try (Stream<StoredEvent> events = history(caller.accountId(), id)) {
            Iterator<StoredEvent> iterator = events.iterator();
            if (!iterator.hasNext()) {
                throw new ApiException(ApiError.noSuchPaymentIntent(id));
            }
            if (jsonLines) {
                JsonLines.write(response, mapped(iterator));
                return null; // written
            }
            List<Map<String, Object>> data = new ArrayList<>();
            iterator.forEachRemaining(event -> data.add(render(event)));
            Map<String, Object> list = new LinkedHashMap<>();
            list.put("object", "list");
            list.put("data", data);
            list.put("has_more", false);
            list.put("url", "/v1/payment_intents/" + id + "/history");
            return ResponseEntity.ok(list);
        }
    }

    private static String format(Params params) {
        String format = params.nonEmptyString("format").orElse("json");
        if (!FORMATS.contains(format)) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "format",
                    "Invalid format: must be one of " + String.join(", ", FORMATS)));
        }
        return format;
    }

    private Stream<StoredEvent> history(String accountId, String id) {
        return Flux.from(queries.streamingQuery(new FindPaymentIntentHistory(accountId, id), StoredEvent.class))
                .toStream(64);
    }

    static Map<String, Object> render(StoredEvent event) {
        return StripeEvents.storedEvent(event, JsonLines.parse(event.payload()));
    }

    static Iterator<Map<String, Object>> mapped(Iterator<StoredEvent> events) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return events.hasNext();
            }

            @Override
            public Map<String, Object> next() {
                return render(events.next());
            }
        };
    }
}
