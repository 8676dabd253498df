package io.paymentintents.gateway.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paymentintents.api.error.ApiError;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

import java.io.IOException;

/** Spring's CORS checks, with a refusal answered in Stripe's envelope rather than a plain-text body. */
public class StripeCorsProcessor extends DefaultCorsProcessor {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void rejectRequest(ServerHttpResponse response) throws IOException {
        ApiError error = new ApiError(403, ApiError.INVALID_REQUEST, null, null,
                "This cross-origin request is not allowed: only GET and POST with the API's headers are.",
                null, null, -1);
        response.setStatusCode(org.springframework.http.HttpStatus.FORBIDDEN);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        JSON.writeValue(response.getBody(), StripeObjects.error(error, null));
        response.flush();
    }

    /** Installs the processor on every handler mapping (the controllers' and the error controller's). */
    public static BeanPostProcessor installer() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof AbstractHandlerMapping mapping) {
                    mapping.setCorsProcessor(new StripeCorsProcessor());
                }
                return bean;
            }
        };
    }
}
