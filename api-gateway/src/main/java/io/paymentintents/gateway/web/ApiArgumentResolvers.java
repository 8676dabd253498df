package io.paymentintents.gateway.web;

import io.paymentintents.api.error.ApiError;
import io.paymentintents.api.error.ErrorCodes;
import io.paymentintents.gateway.auth.AuthenticationInterceptor;
import io.paymentintents.gateway.auth.Caller;
import io.paymentintents.gateway.params.Params;
import io.paymentintents.gateway.params.RequestParser;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;

/**
 * Supplies controller methods with the authenticated {@link Caller} and the request's {@link Params}: the query
 * string for GET, the body for POST (JSON when so labelled, otherwise a form, as the Stripe SDKs send it). The body
 * is read here, byte for byte, so that nothing decodes it leniently before the strict parser sees it.
 */
public final class ApiArgumentResolvers {

    private ApiArgumentResolvers() {
    }

    public static List<HandlerMethodArgumentResolver> all(int maxBodyBytes) {
        return List.of(new CallerResolver(), new ParamsResolver(maxBodyBytes));
    }

    static final class CallerResolver implements HandlerMethodArgumentResolver {
        @Override
        public boolean supportsParameter(MethodParameter parameter) {
            return parameter.getParameterType() == Caller.class;
        }

        @Override
        public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
                                      WebDataBinderFactory binderFactory) {
            Object caller = request.getAttribute(AuthenticationInterceptor.CALLER, NativeWebRequest.SCOPE_REQUEST);
            if (caller == null) {
                throw new IllegalStateException("no authenticated caller: is the interceptor registered?");
            }
            return caller;
        }
    }

    static final class ParamsResolver implements HandlerMethodArgumentResolver {
        private final int maxBodyBytes;

        ParamsResolver(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
        }

        @Override
        public boolean supportsParameter(MethodParameter parameter) {
            return parameter.getParameterType() == Params.class;
        }

        @Override
        public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest webRequest,
                                      WebDataBinderFactory binderFactory) throws IOException {
            HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
            if (!"POST".equals(request.getMethod())) {
                return new Params(RequestParser.parseForm(request.getQueryString()));
            }
            byte[] body = readBody(request);
            String contentType = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
            if (contentType.startsWith("application/json") || contentType.contains("+json")) {
                return new Params(RequestParser.parseJson(body));
            }
            // no Content-Type: what curl -d and older clients send, a form
            if (contentType.isBlank() || contentType.startsWith("application/x-www-form-urlencoded")) {
                return new Params(RequestParser.parseForm(body));
            }
            throw new ApiException(ApiError.invalidRequest(ErrorCodes.INVALID_REQUEST_BODY, null,
                    "Invalid Content-Type: send application/json or application/x-www-form-urlencoded."));
        }

        private byte[] readBody(HttpServletRequest request) throws IOException {
            if (request.getContentLengthLong() > maxBodyBytes) {
                throw tooLarge();
            }
            try (InputStream in = request.getInputStream()) {
                byte[] body = in.readNBytes(maxBodyBytes + 1);
                if (body.length > maxBodyBytes) {
                    throw tooLarge();
                }
                return body;
            }
        }

        private ApiException tooLarge() {
            return new ApiException(new ApiError(413, ApiError.INVALID_REQUEST, io.paymentintents.api.error.ErrorCodes.REQUEST_TOO_LARGE, null,
                    "The request body is larger than the limit of " + maxBodyBytes + " bytes.", null, null, -1));
        }
    }
}
