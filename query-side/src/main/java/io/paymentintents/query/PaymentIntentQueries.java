package io.paymentintents.query;

import io.paymentintents.api.query.FindCharge;
import io.paymentintents.api.query.FindPaymentIntent;
import io.paymentintents.api.query.FindPaymentIntentByClientSecret;
import io.paymentintents.api.secrets.ClientSecrets;
import io.paymentintents.api.query.ListPaymentIntents;
import io.paymentintents.api.query.PaymentIntentPage;
import io.paymentintents.api.query.PaymentIntentView;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

import java.util.Optional;

@Component
public class PaymentIntentQueries {

    private final PaymentIntentTable table;
    private final ClientSecrets clientSecrets;

    public PaymentIntentQueries(PaymentIntentTable table, ClientSecrets clientSecrets) {
        this.table = table;
        this.clientSecrets = clientSecrets;
    }

    @QueryHandler
    public Optional<PaymentIntentView> find(FindCharge query) {
        return table.findByCharge(query.accountId(), query.chargeId());
    }

    /** For the hosted authentication page: a genuine client secret is the capability, whatever the account. */
    @QueryHandler
    public Optional<PaymentIntentView> find(FindPaymentIntentByClientSecret query) {
        return clientSecrets.paymentIntentOf(query.clientSecret()).flatMap(table::findById);
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
