package io.paymentintents.gateway.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * A request's Content-Type must name one media type: a wildcard ({@code *}{@code /*}, {@code application/*}) or an
 * unparseable value is answered 400 here, before Spring's CORS and body handling, which would throw on it.
 */
public class ContentTypeFilter extends OncePerRequestFilter {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType();
        if (contentType != null && !contentType.isBlank() && !isConcrete(contentType)) {
            ApiError error = ApiError.invalidRequest(ErrorCodes.INVALID_REQUEST_BODY, null,
                    "Invalid Content-Type: send application/json or application/x-www-form-urlencoded.");
            response.setStatus(400);
            response.setContentType("application/json");
            JSON.writeValue(response.getOutputStream(), StripeObjects.error(error, null));
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean isConcrete(String contentType) {
        try {
            org.springframework.http.MediaType type = org.springframework.http.MediaType.parseMediaType(contentType);
            return !type.isWildcardType() && !type.isWildcardSubtype();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
