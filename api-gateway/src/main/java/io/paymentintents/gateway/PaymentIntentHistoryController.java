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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code GET /v1/payment_intents/{id}/history}: the intent's audit trail, every stored event in order with its
 * payload and audit metadata, read from the event store. {@code format=jsonl} streams it as JSON Lines. Secret
 * key only.
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

    @GetMapping(path = "/{id}/history", produces = "application/json")
    public Map<String, Object> history(Caller caller, Params params, @PathVariable String id) {
        PaymentIntentController.requireWellFormed(id);
        params.allowOnly(PARAMS);
        checkFormat(params);
        List<Map<String, Object>> data;
        try (Stream<StoredEvent> events = history(caller.accountId(), id)) {
            data = events.map(PaymentIntentHistoryController::render).toList();
        }
        if (data.isEmpty()) {
            throw new ApiException(ApiError.noSuchPaymentIntent(id));
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        list.put("data", data);
        list.put("has_more", false);
        list.put("url", "/v1/payment_intents/" + id + "/history");
        return list;
    }

    /** The same entries as JSON Lines, streamed from the event store as they are read. */
    @GetMapping(path = "/{id}/history", params = "format=jsonl")
    public void historyAsJsonLines(Caller caller, Params params, @PathVariable String id,
                                   HttpServletResponse response) throws IOException {
        PaymentIntentController.requireWellFormed(id);
        params.allowOnly(PARAMS);
        checkFormat(params);
        try (Stream<StoredEvent> events = history(caller.accountId(), id)) {
            Iterator<StoredEvent> iterator = events.iterator();
            if (!iterator.hasNext()) {
                throw new ApiException(ApiError.noSuchPaymentIntent(id));
            }
            JsonLines.write(response, mapped(iterator));
        }
    }

    private static void checkFormat(Params params) {
        String format = params.nonEmptyString("format").orElse("json");
        if (!FORMATS.contains(format)) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "format",
                    "Invalid format: must be one of " + String.join(", ", FORMATS)));
        }
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
