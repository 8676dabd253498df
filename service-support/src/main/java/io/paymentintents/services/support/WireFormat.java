package io.paymentintents.services.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Jackson mapper of Axon's serializers: commands, events, snapshots, queries, responses, updates and the details
 * of exceptions all cross Axon Server in this form, so every service must write and read them alike. It is the mapper
 * the standalone application's serializers use (the query side's, which Axon picks there as the only one), so events
 * written by either deployment read the same: instants as ISO-8601 text.
 *
 * <p>Named {@code defaultAxonObjectMapper}, the bean Axon's Jackson serializer looks for first. The query-side
 * service does not import it: its own mapper (same settings) is the one Axon finds there, as in the standalone
 * application, and a second ObjectMapper bean would make injection by type ambiguous in that module.
 */
@Configuration(proxyBeanMethods = false)
public class WireFormat {

    public static ObjectMapper objectMapper() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                                 .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    @Bean
    public ObjectMapper defaultAxonObjectMapper() {
        return objectMapper();
    }
}
