package io.paymentintents.gateway;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.web.ApiException;

import java.util.Map;
import java.util.Set;

/** The {@code created} filter: an exact unix time, or bounds {@code created[gt|gte|lt|lte]}. */
record CreatedRange(Long gt, Long gte, Long lt, Long lte) {

    private static final Set<String> BOUNDS = Set.of("gt", "gte", "lt", "lte");

    static CreatedRange from(Params params) {
        if (!params.has("created")) {
            return new CreatedRange(null, null, null, null);
        }
        Params nested = params.nested("created");
        if (nested == null) {
            long exact = params.integer("created").orElseThrow(() -> invalid("created"));
            return new CreatedRange(null, exact, null, exact);
        }
        for (String key : nested.names()) {
            if (!BOUNDS.contains(key)) {
                throw new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_UNKNOWN, "created[" + key + "]",
                        "Received unknown parameter: created[" + key + "]"));
            }
        }
        return new CreatedRange(bound(nested, "gt"), bound(nested, "gte"), bound(nested, "lt"), bound(nested, "lte"));
    }

    private static Long bound(Params nested, String name) {
        try {
            return nested.integer(name).orElse(null);
        } catch (ApiException e) {
            throw new ApiException(e.error().withParam("created[" + name + "]"));
        }
    }

    private static ApiException invalid(String param) {
        return new ApiException(ApiError.invalidRequest(ErrorCodes.PARAMETER_INVALID_INTEGER, param,
                "Invalid integer: " + param));
    }
}
