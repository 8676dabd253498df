package io.paymentintents.gateway.web;

import io.paymentintents.api.error.ApiError;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/**
 * Errors raised by the servlet container itself (outside any controller) are answered in Stripe's envelope too,
 * never as an HTML page.
 */
@RestController
public class StripeErrorController implements ErrorController {

    @RequestMapping(path = "/error", produces = "application/json")
    public ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // requested directly, with no error behind it, /error is just an unknown URL
        int status = code instanceof Integer i ? i : 404;
        ApiError error = status >= 500
                ? new ApiError(status, ApiError.API_ERROR, null, null, "An unexpected error occurred on our side.",
                null, null, -1)
                : new ApiError(status, ApiError.INVALID_REQUEST, null, null, switch (status) {
                    case 404 -> "Unrecognized request URL.";
                    case 413 -> "The request is larger than this service accepts.";
                    default -> "The request could not be understood.";
                }, null, null, -1);
        return ApiExceptionHandler.respond(error, StripeObjects.error(error, null));
    }
}
