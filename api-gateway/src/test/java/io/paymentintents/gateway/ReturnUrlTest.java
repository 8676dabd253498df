package io.paymentintents.gateway;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which return_urls the hosted page redirects a customer's browser to. The API refuses the others at create and
 * confirm; the page checks again, so that nothing stored earlier under looser rules is ever followed.
 */
class ReturnUrlTest {

    @ParameterizedTest
    @ValueSource(strings = {"https://shop.example/done", "http://localhost:3000/return?order=42",
            "myapp://payments/done"})
    void pagesAndAppLinksAreFollowed(String url) {
        assertThat(HostedAuthenticationPage.returnUrl(url)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>",
            "vbscript:msgbox", "file:///etc/passwd", "blob:https://shop.example/1", "/relative/path",
            "https:///no-host", "not a url", "http://exa mple.com/"})
    void scriptsDataLocalFilesAndNonUrlsAreNot(String url) {
        assertThat(HostedAuthenticationPage.returnUrl(url)).isEmpty();
    }
}
