package io.paymentintents;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeSearchResult;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentIntentSearchParams;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Search through the official Stripe Java SDK, unmodified but for its base URL and key. */
class StripeJavaSearchTest extends ServiceTest {

    private StripeClient stripe;
    private String run;

    @BeforeEach
    void pointTheSdkAtTheService() {
        stripe = StripeClient.builder().setApiKey(SECRET_KEY).setApiBase(baseUrl()).setMaxNetworkRetries(0).build();
        run = "sdk_search_" + System.nanoTime();
    }

    private PaymentIntent create(long amount, String currency) throws Exception {
        return stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                .setAmount(amount).setCurrency(currency).putMetadata("run", run).build());
    }

    @Test
    void searchAutoPaginatesOverEveryPageOnce() throws Exception {
        List<String> createdIds = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            createdIds.add(create(1000L + i, "usd").getId());
        }

        StripeSearchResult<PaymentIntent> firstPage = stripe.v1().paymentIntents().search(PaymentIntentSearchParams
                .builder().setQuery("metadata['run']:'" + run + "'").setLimit(2L).build());

        assertThat(firstPage.getObject()).isEqualTo("search_result");
        assertThat(firstPage.getData()).hasSize(2);
        assertThat(firstPage.getHasMore()).isTrue();
        assertThat(firstPage.getNextPage()).isNotBlank();
        assertThat(firstPage.getTotalCount()).isEqualTo(7L);
        assertThat(firstPage.getUrl()).isEqualTo("/v1/payment_intents/search");

        List<PaymentIntent> found = new ArrayList<>();
        for (PaymentIntent intent : firstPage.autoPagingIterable()) {
            found.add(intent);
        }
        List<String> seen = found.stream().map(PaymentIntent::getId).toList();
        assertThat(seen).hasSize(7).containsExactlyInAnyOrderElementsOf(createdIds);
        assertThat(new HashSet<>(seen)).hasSize(7);
        assertThat(found).isSortedAccordingTo(Comparator.comparing(PaymentIntent::getCreated)
                .thenComparing(PaymentIntent::getId).reversed());
        assertThat(found).allSatisfy(intent -> assertThat(intent.getMetadata()).containsEntry("run", run));
    }

    @Test
    void searchCombinesClausesAndNumericComparisons() throws Exception {
        PaymentIntent small = create(1000L, "usd");
        PaymentIntent large = create(5000L, "usd");
        PaymentIntent euro = create(5000L, "eur");

        StripeSearchResult<PaymentIntent> result = stripe.v1().paymentIntents().search(PaymentIntentSearchParams
                .builder().setQuery("metadata[\"run\"]:\"" + run + "\" AND amount>=2000 AND -currency:\"eur\"")
                .build());

        assertThat(result.getData()).extracting(PaymentIntent::getId).containsExactly(large.getId());
        assertThat(result.getHasMore()).isFalse();
        assertThat(result.getNextPage()).isNull();
        assertThat(List.of(small.getId(), euro.getId())).doesNotContain(large.getId());
    }

    @Test
    void aMalformedQueryIsAnInvalidRequestExceptionOnQuery() {
        assertThatThrownBy(() -> stripe.v1().paymentIntents().search(PaymentIntentSearchParams.builder()
                .setQuery("colour:\"red\"").build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getCode()).isEqualTo("parameter_invalid_string");
                    assertThat(e.getParam()).isEqualTo("query");
                    assertThat(e.getStripeError().getMessage()).isEqualTo("Invalid query: unknown field 'colour' at "
                            + "position 0. Fields you can search on are: amount, created, currency, customer, "
                            + "metadata, status.");
                });
    }
}
