package io.paymentintents;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 3-D Secure round trip as a customer makes it, in Debian's Chromium driven headless through its ChromeDriver
 * (both installed by .ci/install-browser): the shop's return_url is a small server of this test's own, the browser
 * follows next_action.redirect_to_url.url, presses a button of the hosted page and must land back at the shop with
 * Stripe's query parameters. ChromeDriver's path is given, so Selenium Manager never looks for (or downloads) a
 * driver or a browser.
 */
class HostedAuthenticationPageBrowserTest extends ServiceTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    /**
     * Debian's Chromium is newer than any DevTools protocol this Selenium knows, which it warns about at every start;
     * the test uses WebDriver only, no DevTools. Held here because java.util.logging forgets the level of a logger
     * nothing references.
     */
    private static final List<Logger> QUIETED = Stream.of("org.openqa.selenium.devtools.CdpVersionFinder",
            "org.openqa.selenium.chromium.ChromiumDriver").map(Logger::getLogger).toList();

    /** The query string each return path of the shop was called with. */
    private static final Map<String, String> RETURNS = new ConcurrentHashMap<>();
    private static HttpServer shop;
    private static Path profile;
    private static ChromeDriverService driverService;
    private static WebDriver browser;

    @BeforeAll
    static void startShopAndBrowser() throws IOException {
        shop = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        shop.createContext("/return/", exchange -> {
            RETURNS.put(exchange.getRequestURI().getPath(), String.valueOf(exchange.getRequestURI().getRawQuery()));
            byte[] page = "<!DOCTYPE html><title>Shop</title><h1 id=\"shop\">Back at the shop</h1>"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(page);
            }
        });
        shop.start();

        QUIETED.forEach(logger -> logger.setLevel(Level.SEVERE));
        profile = Files.createTempDirectory("chromium-profile");
        driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // the machine's closed network refuses Chromium's background connections: switch them off
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile);
        browser = new ChromeDriver(driverService, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopBrowserAndShop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (driverService != null) {
            driverService.stop();
        }
        if (shop != null) {
            shop.stop(0);
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (UncheckedIOException e) {
                // a file Chromium still held: the temporary directory is cleaned by the system later
            }
        }
    }

    private String returnUrl(String name) {
        return "http://127.0.0.1:" + shop.getAddress().getPort() + "/return/" + name;
    }

    /** Created and confirmed in one call, as a shop's server does, with a card that asks for 3-D Secure. */
    private JsonNode requiringAction(String returnUrl) {
        Reply reply = postJson("/v1/payment_intents", "{\"amount\": 4999, \"currency\": \"eur\", "
                + "\"description\": \"Browser test order\", \"payment_method\": \"pm_card_authenticationRequired\", "
                + "\"confirm\": true, \"return_url\": \"" + returnUrl + "\"}");
        assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("requires_action");
        return reply.body();
    }

    /** Opens the hosted page as the shop's page would send the customer there, and presses one of its buttons. */
    private Map<String, String> authenticateInTheBrowser(String returnPath, String button) {
        String returnUrl = returnUrl(returnPath);
        JsonNode intent = requiringAction(returnUrl);
        String hostedPage = intent.at("/next_action/redirect_to_url/url").asText();
        assertThat(hostedPage).startsWith(baseUrl() + "/test_mode/authenticate?client_secret=");

        browser.get(hostedPage);
        assertThat(browser.findElement(By.id("amount")).getText()).isEqualTo("49.99 eur");
        assertThat(browser.findElement(By.id("description")).getText()).isEqualTo("Browser test order");
        browser.findElement(By.id(button)).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.urlContains(returnUrl));
        assertThat(browser.findElement(By.id("shop")).getText()).isEqualTo("Back at the shop");

        Map<String, String> query = parse(RETURNS.get("/return/" + returnPath));
        assertThat(query.get("payment_intent")).isEqualTo(intent.get("id").asText());
        assertThat(query.get("payment_intent_client_secret")).isEqualTo(intent.get("client_secret").asText());
        return query;
    }

    private static Map<String, String> parse(String query) {
        assertThat(query).as("the shop's return_url was called").isNotNull();
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            parameters.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }

    @Test
    void completingAuthenticationInTheBrowserPaysAndReturnsToTheShop() {
        Map<String, String> returned = authenticateInTheBrowser("completed", "complete");

        assertThat(returned.get("redirect_status")).isEqualTo("succeeded");
        JsonNode intent = get("/v1/payment_intents/" + returned.get("payment_intent")).body();
        assertThat(intent.get("status").asText()).isEqualTo("succeeded");
        assertThat(intent.get("amount_received").asLong()).isEqualTo(4999);
    }

    @Test
    void failingAuthenticationInTheBrowserReturnsToTheShopWithoutPaying() {
        Map<String, String> returned = authenticateInTheBrowser("failed", "fail");

        assertThat(returned.get("redirect_status")).isEqualTo("failed");
        JsonNode intent = get("/v1/payment_intents/" + returned.get("payment_intent")).body();
        assertThat(intent.get("status").asText()).isEqualTo("requires_payment_method");
        assertThat(intent.at("/last_payment_error/code").asText()).isEqualTo("payment_intent_authentication_failure");
        assertThat(intent.get("amount_received").asLong()).isZero();
    }
}
