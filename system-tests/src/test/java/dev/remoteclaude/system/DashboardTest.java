package dev.remoteclaude.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.infra.anthropic.Turn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web dashboard in a real browser (Debian's headless chromium through its chromedriver),
 * against the whole platform: sign in with a token of the launcher's key, create a session, watch
 * it become ready, run a task and see Claude's tool calls appear live, reload the page mid-task and
 * see the stream go on without a gap or a doubled line, open the file Claude wrote, run a command,
 * commit and branch in the git panel, pause and resume, terminate; another user's session is "not
 * found". Text from Claude and file names are shown as text, never run. Screenshots of the main
 * pages go to docs/screenshots/.
 */
class DashboardTest {

  private static final Duration READY = Duration.ofSeconds(180);
  private static final Duration TASK = Duration.ofSeconds(180);

  /** Events the session page shows, each as one element carrying its sequence number. */
  private static final Set<String> SHOWN =
      Set.of(
          "session.state",
          "session.notice",
          "sandbox.progress",
          "sandbox.ready",
          "sandbox.failed",
          "task.queued",
          "task.started",
          "claude.init",
          "claude.text",
          "claude.thinking",
          "claude.tool_use",
          "claude.tool_result",
          "claude.result",
          "claude.output",
          "claude.stderr",
          "task.completed",
          "task.failed",
          "task.cancelled");

  private WebDriver browser;
  private String base;

  /** chromium and its driver: Debian's packages (./rc test installs them as root). */
  private static Optional<Path> executable(String... candidates) {
    return Stream.of(candidates).map(Path::of).filter(Files::isExecutable).findFirst();
  }

  @BeforeEach
  void openBrowser() {
    Optional<Path> chromium = executable("/usr/bin/chromium", "/usr/bin/chromium-browser");
    Optional<Path> driver = executable("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    Assumptions.assumeTrue(
        chromium.isPresent() && driver.isPresent(),
        "no chromium/chromedriver found (/usr/bin/chromium, /usr/bin/chromedriver): install"
            + " Debian's chromium and chromium-driver (./rc test does so as root)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.get().toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile()).build();
    browser = new ChromeDriver(service, options);
    base = TestPlatform.baseUrl();
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void aUsersSessionFromSignInToTermination() {
    String user = "dana-" + UUID.randomUUID();
    Api api = new Api(user);
    String marker = "[dashboard-" + UUID.randomUUID() + "]";
    String xss = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>";
    String oddName = "<img src=x onerror=window.__pwned=3>.md";
    TestPlatform.get()
        .stub()
        .orElseThrow()
        .when(
            c -> c.prompt().contains(marker),
            c ->
                List.of(
                    Turn.write(
                        c.workingDirectory() + "/HELLO.md",
                        "# Hello\n\nYou asked: " + c.prompt() + "\n" + xss + "\n"),
                    Turn.write(c.workingDirectory() + "/" + oddName, "odd\n"),
                    // Long enough for the page to be reloaded while the task runs.
                    Turn.bash("sleep 8 && echo slept-well"),
                    Turn.text("All done. " + xss)));

    // Sign in with a token signed by the launcher's key.
    browser.get(base + "/");
    WebElement tokenField = waitFor(By.id("token"));
    screenshot("sign-in");
    tokenField.sendKeys(TestPlatform.token(user));
    browser.findElement(By.cssSelector("#signin button[type=submit]")).click();
    waitFor(By.id("create"));

    // A bad request shows the problem's detail, nothing internal.
    browser.findElement(By.id("repository-url")).sendKeys("ftp://example.com/repo.git");
    browser.findElement(By.id("create-submit")).click();
    WebElement error = waitUntilShown(By.id("error"));
    assertThat(error.getText()).isNotBlank().doesNotContain("Exception").doesNotContain("at dev.");

    // Create a session on a local repository and watch it become ready.
    WebElement url = browser.findElement(By.id("repository-url"));
    url.clear();
    url.sendKeys(Api.gitRepository("# Demo project\n"));
    browser.findElement(By.id("branch")).sendKeys("main");
    browser.findElement(By.id("create-submit")).click();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> browser.getCurrentUrl().contains("#/sessions/"));
    UUID session =
        UUID.fromString(
            browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1));
    awaitState("READY", READY);

    // Run a task: Claude's tool calls appear live.
    browser.findElement(By.id("prompt")).sendKeys("Write the greeting " + marker);
    browser.findElement(By.id("task-submit")).click();
    await()
        .atMost(TASK)
        .until(
            () ->
                browser
                    .findElements(By.cssSelector("#activity details.tool[data-tool=Bash]"))
                    .stream()
                    .anyMatch(d -> d.getText().contains("sleep 8")));
    assertThat(browser.findElements(By.cssSelector("#activity details.tool[data-tool=Write]")))
        .hasSizeGreaterThanOrEqualTo(2);
    screenshot("session-live");
    // Mid-task (Claude's command sleeps): reload.
    assertThat(browser.findElements(By.cssSelector("[data-type='task.completed']"))).isEmpty();
    browser.navigate().refresh();

    // The stream goes on after the reload: the rest of the task arrives.
    await()
        .atMost(TASK)
        .until(
            () -> !browser.findElements(By.cssSelector("[data-type='task.completed']")).isEmpty());
    assertThat(browser.findElement(By.id("activity")).getDomProperty("textContent"))
        .contains("slept-well")
        .contains("All done.");
    // Every event the page shows is there exactly once: the same sequence numbers as the log.
    List<Long> expected =
        api.events(session, 0).getList("events", java.util.Map.class).stream()
            .filter(e -> SHOWN.contains(String.valueOf(e.get("type"))))
            .map(e -> ((Number) e.get("seq")).longValue())
            .filter(seq -> seq <= shownUpTo())
            .toList();
    List<Long> shown =
        browser.findElements(By.cssSelector("#activity [data-seq][data-type]")).stream()
            .map(e -> Long.parseLong(e.getDomAttribute("data-seq")))
            .sorted()
            .toList();
    assertThat(shown).isEqualTo(expected);

    // Claude's text and the file's content are shown as text, never run.
    assertThat(browser.findElement(By.id("activity")).getText()).contains(xss);
    assertThat(browser.findElements(By.cssSelector("#activity img, #activity script"))).isEmpty();
    assertThat(pwned()).isNull();

    // The task's history shows its result.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> !browser.findElements(By.cssSelector("#tasks [data-state=SUCCEEDED]")).isEmpty());

    // The file browser lists Claude's files; the viewer opens and saves one.
    browser.findElement(By.id("files-refresh")).click();
    waitFor(By.cssSelector("#files button[data-file='HELLO.md']"));
    assertThat(
            browser.findElements(By.cssSelector("#files button[data-file]")).stream()
                .map(WebElement::getText))
        .contains(oddName, "README.md");
    browser.findElement(By.cssSelector("#files button[data-file='HELLO.md']")).click();
    WebElement content = waitFor(By.id("file-content"));
    assertThat(content.getDomProperty("value")).contains("You asked: Write the greeting " + marker);
    content.sendKeys(org.openqa.selenium.Keys.END, "Edited in the browser\n");
    browser.findElement(By.id("file-save")).click();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                api.call()
                    .queryParam("path", "HELLO.md")
                    .get("/api/v1/sessions/{id}/files", session)
                    .asString()
                    .contains("Edited in the browser"));
    assertThat(pwned()).isNull();
    screenshot("session-files");

    // The command runner streams its output.
    browser.findElement(By.id("command")).sendKeys("echo first; sleep 1; echo second-$((20+22))");
    browser.findElement(By.cssSelector("#command-form button")).click();
    await()
        // The page redraws the element while it is read.
        .ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class)
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                browser.findElement(By.id("commands")).getText().contains("second-42")
                    && browser.findElement(By.id("commands")).getText().contains("exit 0"));

    // The git panel: what Claude wrote and the browser edited are changes; a commit made there
    // leaves none; a branch created there can be switched to.
    click(By.id("git-refresh"));
    waitFor(By.cssSelector("#git-changes [data-path='HELLO.md']"));
    browser.findElement(By.id("git-message")).sendKeys("Greeting from the dashboard");
    click(By.id("git-commit"));
    waitFor(By.id("git-clean"));
    assertThat(browser.findElement(By.id("git-result")).getText()).startsWith("Committed ");
    assertThat(api.call().get("/api/v1/sessions/{id}/git", session).jsonPath().getBoolean("clean"))
        .isTrue();
    browser.findElement(By.id("git-new-branch")).sendKeys("claude/from-browser");
    click(By.id("git-create-branch"));
    waitFor(By.cssSelector("#git-branch option[value='claude/from-browser']"));
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("git-branch")))
        .selectByValue("claude/from-browser");
    click(By.id("git-checkout"));
    await()
        // The page redraws the element while it is read.
        .ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class)
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                browser.findElement(By.id("git-current")).getText().equals("claude/from-browser"));
    assertThat(pwned()).isNull();
    ((org.openqa.selenium.JavascriptExecutor) browser)
        .executeScript("document.getElementById('git-title').scrollIntoView()");
    screenshot("session-git");

    // Pause and resume.
    click(By.cssSelector("#session-header [data-action=pause]"));
    awaitState("PAUSED", READY);
    click(By.cssSelector("#session-header [data-action=resume]"));
    awaitState("READY", READY);

    // The sessions list shows it, with its cost so far.
    browser.get(base + "/#/sessions");
    waitFor(By.cssSelector("[data-session='" + session + "']"));
    screenshot("sessions");
    browser.manage().window().setSize(new Dimension(390, 844));
    screenshot("sessions-phone");
    browser.manage().window().setSize(new Dimension(1280, 1000));

    // Usage: the plan and the charts.
    browser.get(base + "/#/usage");
    waitFor(By.id("plan"));
    waitFor(By.id("cost-per-kind"));
    screenshot("usage");

    // Terminate, after a confirmation.
    browser.get(base + "/#/sessions/" + session);
    click(By.cssSelector("#session-header [data-action=terminate]"));
    waitUntilShown(By.id("confirm-ok")).click();
    awaitState("TERMINATED", READY);

    // Another user: the session is not found, and not in their list.
    browser.findElement(By.id("signout")).click();
    waitFor(By.id("token")).sendKeys(TestPlatform.token("erin-" + UUID.randomUUID()));
    browser.findElement(By.cssSelector("#signin button[type=submit]")).click();
    waitFor(By.id("sessions"));
    assertThat(browser.findElements(By.cssSelector("[data-session='" + session + "']"))).isEmpty();
    browser.get(base + "/#/sessions/" + session);
    assertThat(waitFor(By.id("not-found")).getText()).contains("Session not found");
  }

  /** The highest sequence number the page shows. */
  private long shownUpTo() {
    return browser.findElements(By.cssSelector("#activity [data-seq][data-type]")).stream()
        .mapToLong(e -> Long.parseLong(e.getDomAttribute("data-seq")))
        .max()
        .orElse(0);
  }

  private Object pwned() {
    return ((JavascriptExecutor) browser).executeScript("return window.__pwned ?? null;");
  }

  private void awaitState(String state, Duration within) {
    await()
        .atMost(within)
        .until(
            () ->
                !browser
                    .findElements(By.cssSelector("#session-header [data-state=" + state + "]"))
                    .isEmpty());
  }

  /** Clicks what {@code by} finds, once it is there; the page may redraw it meanwhile. */
  private void click(By by) {
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            () -> {
              List<WebElement> found = browser.findElements(by);
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
        .ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class)
        .until(() -> browser.findElements(by).stream().anyMatch(WebElement::isDisplayed));
    return browser.findElement(by);
  }

  /** Saves a screenshot of the current page as docs/screenshots/{name}.png. */
  private void screenshot(String name) {
    Path root = Path.of(System.getProperty("rc.project.root", "..")).toAbsolutePath().normalize();
    Path target = root.resolve("docs/screenshots/" + name + ".png");
    try {
      Files.createDirectories(target.getParent());
      Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
