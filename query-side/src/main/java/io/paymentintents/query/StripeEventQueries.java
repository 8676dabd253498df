package io.paymentintents.query;

import io.paymentintents.api.events.FindStripeEvent;
import io.paymentintents.api.events.ListStripeEvents;
import io.paymentintents.api.events.StripeEventPage;
import io.paymentintents.api.events.StripeEventRecord;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

import java.util.Optional;

@Component
public class StripeEventQueries {

    private final StripeEventTable table;

    public StripeEventQueries(StripeEventTable table) {
        this.table = table;
    }

    @QueryHandler
    public Optional<StripeEventRecord> find(FindStripeEvent query) {
        return table.find(query.accountId(), query.eventId());
    }

    @QueryHandler
    public StripeEventPage list(ListStripeEvents query) {
        return table.list(query);
    }
}
