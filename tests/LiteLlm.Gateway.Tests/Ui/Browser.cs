using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace LiteLlm.Gateway.Tests.Ui;

/// <summary>
/// Debian's headless Chromium driven by Debian's chromedriver (both paths set explicitly, so Selenium Manager never
/// downloads a driver or a browser). CI installs them (.ci/run); a machine without them fails here with a clear message.
/// </summary>
internal sealed class Browser : IDisposable
{
    public const string ChromeDriver = "/usr/bin/chromedriver";
    public const string Chromium = "/usr/bin/chromium";

    private readonly string _profile = Path.Combine(Path.GetTempPath(), "ui-chromium-" + Guid.NewGuid().ToString("N"));

    public Browser(Uri gateway)
    {
        Assert.True(File.Exists(ChromeDriver) && File.Exists(Chromium), $"The UI tests need Debian's chromium and chromium-driver ({Chromium}, {ChromeDriver}): apt-get install -y chromium chromium-driver");
        Gateway = gateway;
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
            "--no-first-run", "--disable-extensions", "--disable-background-networking", "--user-data-dir=" + _profile);
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
        Driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
    }

    public ChromeDriver Driver { get; }

    public Uri Gateway { get; }

    /// <summary>Where screenshots go: <c>LITELLM_UI_SCREENSHOTS</c> (docs/ui when refreshing the README's), else the test output.</summary>
    public static string ScreenshotDirectory => Environment.GetEnvironmentVariable("LITELLM_UI_SCREENSHOTS") is { Length: > 0 } dir
        ? dir
        : Path.Combine(AppContext.BaseDirectory, "ui-screenshots");

    public void Open(string path) => Driver.Navigate().GoToUrl(new Uri(Gateway, path));

    public IWebElement Find(string css) => Driver.FindElement(By.CssSelector(css));

    public IReadOnlyCollection<IWebElement> All(string css) => Driver.FindElements(By.CssSelector(css));

    public string Text(string css) => Find(css).Text;

    public void Type(string css, string text)
    {
        var input = Find(css);
        input.Clear();
        input.SendKeys(text);
    }

    public void SignIn(string key)
    {
        Open("/ui/login");
        Type("#key", key);
        Submit("#signin");
    }

    /// <summary>Clicks a form's button (or a link) and waits until the answer replaced the page (a busy machine may take a while).</summary>
    public void Submit(string css)
    {
        var page = Find("html");
        Find(css).Click();
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            try
            {
                _ = page.TagName;
            }
            catch (WebDriverException e) when (e is StaleElementReferenceException || e.Message.Contains("does not belong to the document", StringComparison.Ordinal))
            {
                // The old page is gone. Chromium says so either as a stale reference or, when the node was looked up while
                // the document was being replaced, as this inspector error.
                return;
            }

            Thread.Sleep(50);
        }

        Assert.Fail($"Submitting {css} did not load a new page.");
    }

    /// <summary>Reloads <paramref name="path"/> until <paramref name="ready"/> holds (spend rows are written in batches, after the response).</summary>
    public void OpenUntil(string path, Func<bool> ready)
    {
        for (var i = 0; i < 40; i++)
        {
            Open(path);
            if (ready())
            {
                return;
            }

            Thread.Sleep(250);
        }

        Assert.Fail($"{path} never showed what the test waited for; page text: {Find("main").Text}");
    }

    public void Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        Driver.GetScreenshot().SaveAsFile(Path.Combine(ScreenshotDirectory, name + ".png"));
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        try
        {
            Directory.Delete(_profile, true);
        }
        catch (IOException)
        {
            // Chromium may still hold a lock file for a moment; the temp directory is cleaned by the OS.
        }
    }
}
