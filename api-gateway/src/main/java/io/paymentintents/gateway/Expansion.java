package io.paymentintents.gateway;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;

import java.util.List;

/**
 * {@code expand[]}: which references to render as objects. Only {@code latest_charge} is expandable (we keep no
 * customer or payment method objects); on lists and search results it is spelled {@code data.latest_charge}.
 */
public record Expansion(boolean latestCharge) {

    public static final Expansion NONE = new Expansion(false);

    public static Expansion forObject(Params params) {
        return parse(params, "", false);
    }

    public static Expansion forList(Params params) {
        return parse(params, "data.", false);
    }

    /** Search also takes Stripe's {@code expand[]=total_count}; our search results always carry the count. */
    public static Expansion forSearch(Params params) {
        return parse(params, "data.", true);
    }

    private static Expansion parse(Params params, String prefix, boolean totalCount) {
        List<String> paths = params.stringList("expand").orElse(List.of());
        boolean latestCharge = false;
        for (String path : paths) {
            if (totalCount && path.equals("total_count")) {
                continue;
            }
            if (path.equals(prefix + "latest_charge")) {
                latestCharge = true;
            } else {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_STRING, "expand",
                        "This property cannot be expanded (" + path + ")."));
            }
        }
        return new Expansion(latestCharge);
    }
}
