package io.paymentintents.gateway.webhooks;

import io.paymentintents.api.events.FindStripeEvent;
import io.paymentintents.api.events.StripeEventRecord;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.NoHandlerForQueryException;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Reads the event from the events read model ({@link FindStripeEvent}) and renders it with the renderer of the
 * events API, serialized by the JSON mapper the web layer answers with: the bytes {@code GET /v1/events/{id}} shows.
 */
public class QueriedStripeEventJson implements StripeEventJson {

    private static final Logger log = LoggerFactory.getLogger(QueriedStripeEventJson.class);

    private final QueryGateway queries;
    private final Function<StripeEventRecord, Map<String, Object>> renderer;
    private final JsonMapper json;
    private final AtomicBoolean warnedNoHandler = new AtomicBoolean();

    public QueriedStripeEventJson(QueryGateway queries, Function<StripeEventRecord, Map<String, Object>> renderer,
                                  JsonMapper json) {
        this.queries = queries;
        this.renderer = renderer;
        this.json = json;
    }

    @Override
    public Optional<String> render(String accountId, String eventId) {
        Optional<StripeEventRecord> record;
        try {
            record = queries.query(new FindStripeEvent(accountId, eventId),
                    ResponseTypes.optionalInstanceOf(StripeEventRecord.class)).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NoHandlerForQueryException) {
                if (warnedNoHandler.compareAndSet(false, true)) {
                    log.warn("the events read model does not answer FindStripeEvent: webhook deliveries wait");
                }
                return Optional.empty();
            }
            throw new IllegalStateException("the events read model failed", e.getCause());
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return record.map(event -> json.writeValueAsString(renderer.apply(event)));
    }
}
