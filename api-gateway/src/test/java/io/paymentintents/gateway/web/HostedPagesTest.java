package io.paymentintents.gateway.web;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostedPagesTest {

    private static final String SECRET = "pi_123_secret_abcDEF";

    @AfterEach
    void noRequest() {
        RequestContextHolder.resetRequestAttributes();
    }

    private static void during(String scheme, String host, int port) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/payment_intents/pi_123");
        request.setScheme(scheme);
        request.setServerName(host);
        request.setServerPort(port);
        RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
    }

    @Test
    void theConfiguredPublicBaseUrlWinsOverTheRequestsOrigin() {
        during("http", "internal-host", 8080);

        assertThat(new HostedPages("https://pay.example.com/").authenticationUrl(SECRET))
                .isEqualTo("https://pay.example.com/test_mode/authenticate?client_secret=" + SECRET);
        assertThat(new HostedPages("https://pay.example.com/gateway").authenticationUrl(SECRET))
                .isEqualTo("https://pay.example.com/gateway/test_mode/authenticate?client_secret=" + SECRET);
    }

    @Test
    void withoutConfigurationThePageIsWhereTheRequestCameTo() {
        during("http", "localhost", 4242);

        assertThat(new HostedPages("").authenticationUrl(SECRET))
                .isEqualTo("http://localhost:4242/test_mode/authenticate?client_secret=" + SECRET);
    }

    @Test
    void outsideARequestTheLinkIsRelativeToTheService() {
        assertThat(new HostedPages(null).authenticationUrl(SECRET))
                .isEqualTo("/test_mode/authenticate?client_secret=" + SECRET);
    }

    @Test
    void aPublicBaseUrlThatIsNoWebOriginStopsTheStart() {
        for (String bad : new String[]{"pay.example.com", "ftp://pay.example.com", "https://pay.example.com/?a=b",
                "https://", "http://exa mple.com"}) {
            assertThatThrownBy(() -> new HostedPages(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("payments.public-base-url");
        }
    }
}
