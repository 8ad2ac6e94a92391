package dev.remoteclaude.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard's sign-in through an OpenID Connect provider (Authorization Code with PKCE), in a
 * real browser against the whole platform. The served {@code /config.json} names a small provider
 * ({@link OidcProvider}) whose access tokens the services trust (signed by the platform's key): the
 * page discovers it, sends the browser there with an S256 challenge, state and nonce, exchanges the
 * code with its verifier, shows the user's sessions, refreshes a refused token, signs out. A wrong
 * verifier and a forged state sign nobody in.
 */
class DashboardOidcTest {

  private static final String CLIENT_ID = "rc-dashboard";

  private WebDriver browser;
  private String base;
  private OidcProvider provider;
  private Path config;
  private String originalConfig;

  private static Optional<Path> executable(String... candidates) {
    return Stream.of(candidates).map(Path::of).filter(Files::isExecutable).findFirst();
  }

  @BeforeEach
  void setUp() throws Exception {
    Optional<Path> chromium = executable("/usr/bin/chromium", "/usr/bin/chromium-browser");
    Optional<Path> driver = executable("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    Assumptions.assumeTrue(
        chromium.isPresent() && driver.isPresent(),
        "no chromium/chromedriver found (/usr/bin/chromium, /usr/bin/chromedriver): install"
            + " Debian's chromium and chromium-driver (./rc test does so as root)");
    base = TestPlatform.baseUrl();
    provider =
        new OidcProvider(
            CLIENT_ID,
            base + "/",
            (user, lifetime) -> TestPlatform.get().keys().token(user, lifetime));
    // What an operator (or the Kubernetes ConfigMap) puts there: this provider and client.
    config = TestPlatform.get().dashboardConfig();
    originalConfig = Files.readString(config);
    Files.writeString(
        config,
        new io.vertx.core.json.JsonObject(
                Map.of("mode", "oidc", "issuer", provider.issuer(), "clientId", CLIENT_ID))
            .encode());

    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.get().toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile()).build(),
            options);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (originalConfig != null) {
      Files.writeString(config, originalConfig);
    }
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  void signInWithPkceSeeYourSessionsRefreshAndSignOut() {
    String user = "olga-" + UUID.randomUUID();
    UUID session = new Api(user).createSession(Api.gitRepository("# OIDC\n"));
    provider.user = user;
    // The first access token is refused by the services (expired): the page must refresh it.
    provider.expiredOnce.set(true);

    browser.get(base + "/");
    // No token field: the provider's sign-in.
    click(By.id("oidc-signin"));
    waitFor(By.cssSelector("[data-session='" + session + "']"));

    // The provider was asked with an S256 challenge, a state and a nonce; the code was exchanged
    // with a verifier that matched; the refused token was refreshed, without signing in again.
    assertThat(provider.authorizeRequests).hasSize(1);
    Map<String, String> asked = provider.authorizeRequests.get(0);
    assertThat(asked)
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("response_type", "code")
        .containsEntry("client_id", CLIENT_ID)
        .containsEntry("redirect_uri", base + "/")
        .containsKeys("state", "nonce", "code_challenge");
    assertThat(provider.codesExchanged.get()).isEqualTo(1);
    assertThat(provider.refreshes.get()).isGreaterThanOrEqualTo(1);
    // The code is gone from the address; the tokens are in this tab's sessionStorage only.
    assertThat(browser.getCurrentUrl()).doesNotContain("code=").doesNotContain("state=");
    assertThat(script("return sessionStorage.getItem('rc.token')")).isNotNull();
    assertThat(script("return localStorage.length")).isEqualTo(0L);
    // Another user's session is not there.
    assertThat(browser.findElements(By.cssSelector("[data-session]"))).hasSize(1);

    // Sign out: the provider's session ends too, and the page offers the sign-in again.
    click(By.id("signout"));
    waitFor(By.id("oidc-signin"));
    assertThat(provider.logouts.get()).isEqualTo(1);
    assertThat(script("return sessionStorage.getItem('rc.token')")).isNull();
    assertThat(script("return sessionStorage.getItem('rc.oidc.refresh')")).isNull();
  }

  @Test
  void aWrongVerifierOrAForgedStateSignsNobodyIn() {
    provider.user = "mallory-" + UUID.randomUUID();

    // An answer this tab did not ask for (state) is refused before any code is exchanged.
    browser.get(base + "/?code=stolen&state=forged");
    assertThat(waitUntilShown(By.id("error")).getText()).contains("state");
    assertThat(provider.tokenRequests.get()).isZero();
    waitFor(By.id("oidc-signin"));

    // The provider holds its answer; meanwhile the tab's verifier is replaced by another one.
    provider.holdNext.set(true);
    click(By.id("oidc-signin"));
    String back = waitFor(By.id("continue")).getDomAttribute("href");
    browser.get(base + "/#/signin");
    waitFor(By.id("oidc-signin"));
    script(
        "const p = JSON.parse(sessionStorage.getItem('rc.oidc.pending'));"
            + " p.verifier = 'x'.repeat(43); sessionStorage.setItem('rc.oidc.pending',"
            + " JSON.stringify(p)); return null;");
    browser.get(back);

    // The provider refuses the exchange; the page says so and holds no token.
    assertThat(waitUntilShown(By.id("error")).getText())
        .contains("refused the sign-in")
        .contains("code_verifier");
    assertThat(provider.verifiersRefused.get()).isEqualTo(1);
    assertThat(provider.codesExchanged.get()).isZero();
    assertThat(script("return sessionStorage.getItem('rc.token')")).isNull();
    assertThat(browser.findElements(By.id("sessions"))).isEmpty();
    waitFor(By.id("oidc-signin"));
  }

  private Object script(String js) {
    return ((JavascriptExecutor) browser).executeScript(js);
  }

  private void click(By by) {
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            () -> {
              var found = browser.findElements(by);
              if (found.isEmpty()) {
                return false;
              }
              found.get(0).click();
              return true;
            });
  }

  private WebElement waitFor(By by) {
    await().atMost(Duration.ofSeconds(60)).until(() -> !browser.findElements(by).isEmpty());
    return browser.findElement(by);
  }

  private WebElement waitUntilShown(By by) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> browser.findElements(by).stream().anyMatch(WebElement::isDisplayed));
    return browser.findElement(by);
  }
}
