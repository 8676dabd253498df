package io.paymentintents.query;

import io.paymentintents.api.query.FindPaymentIntent;
import io.paymentintents.api.query.ListPaymentIntents;
import io.paymentintents.api.query.PaymentIntentPage;
import io.paymentintents.api.query.PaymentIntentView;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

import java.util.Optional;

@Component
public class PaymentIntentQueries {

    private final PaymentIntentTable table;

    public PaymentIntentQueries(PaymentIntentTable table) {
        this.table = table;
    }

    @QueryHandler
    public Optional<PaymentIntentView> find(FindPaymentIntent query) {
        return table.find(query.accountId(), query.paymentIntentId());
    }

    @QueryHandler
    public PaymentIntentPage list(ListPaymentIntents query) {
        return table.list(query);
    }
}
