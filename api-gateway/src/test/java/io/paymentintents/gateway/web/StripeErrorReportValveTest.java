package io.paymentintents.gateway.web;

import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.AccessLogValve;
import org.apache.catalina.valves.ErrorReportValve;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class StripeErrorReportValveTest {

    @Test
    void itTakesThePlaceOfEveryHtmlErrorReportValveAndKeepsTheOthers() {
        StandardHost host = new StandardHost();
        Pipeline pipeline = host.getPipeline();
        AccessLogValve accessLog = new AccessLogValve();
        pipeline.addValve(accessLog);
        pipeline.addValve(new ErrorReportValve()); // as Spring Boot adds it, to hide stack traces

        StripeErrorReportValveInstaller.install(pipeline);
        StripeErrorReportValveInstaller.install(pipeline); // twice changes nothing

        Valve[] valves = pipeline.getValves();
        assertThat(Arrays.stream(valves).filter(v -> v instanceof ErrorReportValve))
                .singleElement().isInstanceOf(StripeErrorReportValve.class);
        assertThat(valves).contains(accessLog);
    }

    @Test
    void tomcatsDiagnosesBecomePreciseMessagesThatNeverEchoTheInput() {
        assertThat(StripeErrorReportValve.message(400, "Invalid character found in the request target "
                + "[/v1/payment_intents?a=<b> ]. The valid characters are defined in RFC 7230 and RFC 3986"))
                .startsWith("Invalid character in the request URL").doesNotContain("<b>");
        assertThat(StripeErrorReportValve.message(400, "Invalid URI: [The hexadecimal encoding is invalid]"))
                .startsWith("Invalid percent-encoding");
        assertThat(StripeErrorReportValve.message(400, "Invalid URI: [The encoded slash character is not allowed]"))
                .contains("%2F");
        assertThat(StripeErrorReportValve.message(400, "Request header is too large"))
                .contains("larger than this service accepts");
        assertThat(StripeErrorReportValve.message(400, "The HTTP header line [X-A: a0x00b] does not conform to "
                + "RFC 9112. The request has been rejected.")).startsWith("Malformed request header")
                .doesNotContain("X-A");
        assertThat(StripeErrorReportValve.message(400, "Invalid character found in method name [GARBAGE]. HTTP "
                + "method names must be tokens")).isEqualTo("Malformed request line: the HTTP method is not valid.");
        assertThat(StripeErrorReportValve.message(400, null)).startsWith("The request could not be parsed");
        assertThat(StripeErrorReportValve.message(505, null)).isEqualTo("HTTP version not supported: use HTTP/1.1.");
        assertThat(StripeErrorReportValve.message(503, null)).isEqualTo("An unexpected error occurred on our side.");
        assertThat(StripeErrorReportValve.message(418, null)).isEqualTo("The request could not be understood.");
    }
}
