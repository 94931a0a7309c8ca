package dev.sluice.uitests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver} packages),
 * driven through Selenium's Chrome driver with the binaries given explicitly, so that Selenium
 * Manager never looks for (or downloads) a browser. Missing binaries fail the test: run
 * {@code scripts/install-browser.sh}.
 */
final class Browser implements AutoCloseable {
    static final String CHROMIUM = System.getProperty("sluice.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("sluice.chromedriver", "/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;

    Browser() throws IOException {
        assertThat(new File(CHROMIUM)).as("Chromium is needed for the browser tests; run scripts/install-browser.sh "
                + "(as root it installs Debian's chromium and chromium-driver), or apt-get install chromium "
                + "chromium-driver").canRead();
        assertThat(new File(CHROMEDRIVER)).as("chromedriver is needed for the browser tests; run "
                + "scripts/install-browser.sh, or apt-get install chromium-driver").canRead();
        profile = Files.createTempDirectory("sluice-chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + profile);
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60)).build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    ChromeDriver driver() {
        return driver;
    }

    /** Saves a screenshot of the current page as {@code target/screenshots/<name>.png}. */
    void screenshot(String name) throws IOException {
        Path dir = Path.of(System.getProperty("screenshots.dir", "target/screenshots"));
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
