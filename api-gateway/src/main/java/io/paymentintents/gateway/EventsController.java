package io.paymentintents.gateway;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.api.events.FindStripeEvent;
import io.paymentintents.api.events.ListStripeEvents;
import io.paymentintents.api.events.StripeEventPage;
import io.paymentintents.api.events.StripeEventRecord;
import io.paymentintents.api.history.ExportStoredEvents;
import io.paymentintents.api.history.StoredEvent;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;
import io.paymentintents.gateway.web.JsonLines;
import io.paymentintents.gateway.web.StripeEvents;
import jakarta.servlet.http.HttpServletResponse;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code /v1/events}: the account's Stripe events, from the events read model (which trails the writes by the
 * time its processor needs, usually milliseconds), and {@code /v1/events/export}, every stored event of the
 * account over a time range as JSON Lines, from the event store. Secret key only, as at Stripe.
 */
@RestController
@RequestMapping("/v1/events")
public class EventsController {

    /** Checked before anything else, as intent ids are. */
    private static final Pattern ID = Pattern.compile("evt_[A-Za-z0-9]{1,252}");
    private static final Set<String> LIST_PARAMS = Set.of("created", "limit", "starting_after", "ending_before",
            "type", "types", "expand");
    /** Stripe's limit on {@code types[]}. */
    static final int MAX_TYPES = 20;
    /** The longest range one export may cover; a longer period takes several requests. */
    static final Duration MAX_EXPORT_RANGE = Duration.ofDays(31);
    /** Bounds are kept within what an {@link Instant} holds: from 1970 to the end of year 9999. */
    private static final long LATEST_SECOND = 253_402_300_799L;

    private final QueryGateway queries;

    public EventsController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping(produces = "application/json")
    public Map<String, Object> list(Caller caller, Params params) {
        params.allowOnly(LIST_PARAMS);
        noExpansion(params);
        int limit = params.pageLimit();
        Params.PageCursor pageCursor = params.pageCursor();
        Optional<String> startingAfter = pageCursor.startingAfter();
        Optional<String> endingBefore = pageCursor.endingBefore();
        List<String> types = types(params);
        CreatedRange created = CreatedRange.from(params);
        if (startingAfter.isPresent()) {
            requireCursor(caller, "starting_after", startingAfter.get());
        }
        if (endingBefore.isPresent()) {
            requireCursor(caller, "ending_before", endingBefore.get());
        }
        StripeEventPage page = queries.query(new ListStripeEvents(caller.accountId(), types, created.gt(),
                        created.gte(), created.lt(), created.lte(), startingAfter.orElse(null),
                        endingBefore.orElse(null), limit), ResponseTypes.instanceOf(StripeEventPage.class)).join();
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        list.put("data", page.data().stream().map(StripeEvents::event).toList());
        list.put("has_more", page.hasMore());
        list.put("url", "/v1/events");
        return list;
    }

    @GetMapping(path = "/{id}", produces = "application/json")
    public Map<String, Object> retrieve(Caller caller, Params params, @PathVariable String id) {
        if (!ID.matcher(id).matches()) {
            throw new ApiException(noSuchEvent("id", id));
        }
        params.allowOnly(Set.of("expand"));
        noExpansion(params);
        return StripeEvents.event(find(caller, id).orElseThrow(() -> new ApiException(noSuchEvent("id", id))));
    }

    /**
     * Every stored event of the caller's intents in a range of storage time, in the event store's order, as JSON
     * Lines. Both ends are required and the range may span at most {@link #MAX_EXPORT_RANGE}, so one request reads
     * a bounded stretch of the store (and never waits for events to come).
     */
    @GetMapping("/export")
    public void export(Caller caller, Params params, HttpServletResponse response) throws IOException {
        params.allowOnly(Set.of("created"));
        CreatedRange created = CreatedRange.from(params);
        Long from = created.gte() != null ? created.gte() : created.gt() == null ? null : created.gt() + 1;
        Long to = created.lt() != null ? created.lt() : created.lte() == null ? null : created.lte() + 1;
        if (created.gte() != null && created.gt() != null) {
            from = Math.max(created.gte(), created.gt() + 1);
        }
        if (created.lt() != null && created.lte() != null) {
            to = Math.min(created.lt(), created.lte() + 1);
        }
        if (from == null) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_MISSING, "created[gte]",
                    "Missing required param: created[gte]."));
        }
        if (to == null) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_MISSING, "created[lt]",
                    "Missing required param: created[lt]."));
        }
        if (to - from > MAX_EXPORT_RANGE.toSeconds()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_INTEGER, "created",
                    "Invalid created: an export may span at most 31 days (" + MAX_EXPORT_RANGE.toSeconds()
                            + " seconds); export a longer period in several requests."));
        }
        ExportStoredEvents query = new ExportStoredEvents(caller.accountId(), instant(from), instant(to));
        try (Stream<StoredEvent> events = Flux.from(queries.streamingQuery(query, StoredEvent.class))
                .toStream(64)) {
            JsonLines.write(response, PaymentIntentHistoryController.mapped(events.iterator()));
        }
    }

    private Optional<StripeEventRecord> find(Caller caller, String id) {
        return queries.query(new FindStripeEvent(caller.accountId(), id),
                ResponseTypes.optionalInstanceOf(StripeEventRecord.class)).join();
    }

    /** A cursor must be an event of the caller's account, as Stripe's must be an object the caller can see. */
    private void requireCursor(Caller caller, String param, String id) {
        if (!ID.matcher(id).matches() || find(caller, id).isEmpty()) {
            throw new ApiException(noSuchEvent(param, id));
        }
    }

    /** {@code type} (exact, or with {@code *} wildcards) or {@code types[]} (up to 20), never both. */
    private static List<String> types(Params params) {
        Optional<String> type = params.nonEmptyString("type");
        if (params.isUnset("types")) {
            params.nonEmptyString("types");
        }
        Optional<List<String>> types = params.stringList("types");
        if (type.isPresent() && types.isPresent()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETERS_EXCLUSIVE, "types",
                    "You may pass either type or types, but not both."));
        }
        if (types.isPresent() && types.get().size() > MAX_TYPES) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "types",
                    "Invalid array: types may have at most " + MAX_TYPES + " elements"));
        }
        return type.map(List::of).or(() -> types).orElse(List.of());
    }

    /** Nothing in an event can be expanded here: its {@code data.object} is always the whole intent. */
    private static void noExpansion(Params params) {
        List<String> expand = params.stringList("expand").orElse(List.of());
        if (!expand.isEmpty()) {
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "expand",
                    "This property cannot be expanded (" + expand.get(0) + ")."));
        }
    }

    private static Instant instant(long seconds) {
        return Instant.ofEpochSecond(Math.max(0, Math.min(seconds, LATEST_SECOND)));
    }

    private static ApiError noSuchEvent(String param, String id) {
        return new ApiError(404, ApiError.INVALID_REQUEST, ErrorCodes.RESOURCE_MISSING, param,
                "No such event: '" + id + "'", null, null, -1);
    }
}
