package io.paymentintents.gateway.web;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.gateway.auth.AuthenticationInterceptor;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.auth.PublishableKeyAccess;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import java.util.Map;

/** The one place where failures become Stripe's error envelope. */
@RestControllerAdvice
public class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    public ResponseEntity<Map<String, Object>> apiException(ApiException e, HttpServletRequest request) {
        Map<String, Object> body = StripeObjects.error(e.error(), e.paymentIntent());
        // a publishable key sees an intent embedded in an error (a decline on confirm) as reduced as any other
        if (request.getAttribute(AuthenticationInterceptor.CALLER) instanceof Caller caller
                && PublishableKeyAccess.isPublishable(caller)) {
            body = PublishableKeyAccess.reducedError(body);
        }
        return respond(e.error(), body);
    }

    @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class,
            HttpRequestMethodNotSupportedException.class})
    public ResponseEntity<Map<String, Object>> unknownRoute(HttpServletRequest request) {
        ApiError error = new ApiError(404, ApiError.INVALID_REQUEST, null, null, "Unrecognized request URL ("
                + request.getMethod() + ": " + request.getRequestURI() + "). Please see the API reference in docs/api.md.",
                null, null, -1);
        return respond(error, StripeObjects.error(error, null));
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    public ResponseEntity<Map<String, Object>> notAcceptable() {
        ApiError error = ApiError.invalidRequest(null, null, "This API answers with application/json only.");
        return respond(error, StripeObjects.error(error, null));
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<Map<String, Object>> unexpected(Exception e, HttpServletRequest request) {
        if (MissingHandlers.forQuery(e) || MissingHandlers.forCommand(e)) {
            // a service behind Axon Server is not running: a read that cannot be answered now, not a failure of ours
            log.warn("no handler connected for {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            ApiError error = ApiError.serviceUnavailable();
            return respond(error, StripeObjects.error(error, null));
        }
        log.error("unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        ApiError error = new ApiError(500, ApiError.API_ERROR, null, null,
                "An unexpected error occurred on our side. The request may be retried with the same Idempotency-Key.",
                null, null, -1);
        return respond(error, StripeObjects.error(error, null));
    }

    static ResponseEntity<Map<String, Object>> respond(ApiError error, Map<String, Object> body) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.valueOf(error.status()))
                .contentType(MediaType.APPLICATION_JSON);
        if (error.status() == 429 || error.status() >= 500) {
            response.header("Stripe-Should-Retry", "true");
        }
        return response.body(body);
    }
}
