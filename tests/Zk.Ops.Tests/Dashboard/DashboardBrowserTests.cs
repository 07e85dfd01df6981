// The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by Playwright): a node made by a client is
// browsed to by clicking through the tree, its data shows as text, JSON and hex with its Stat and ACL; search, the
// ensemble and the sessions tabs show this server; the charts draw. Screenshots go to TestResults/.
using System.Text;
using Microsoft.Playwright;
using Zk.Client;
using Zk.Protocol;
using Zk.Ops.Tests.Infrastructure;

namespace Zk.Ops.Tests.Dashboard;

public sealed class DashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Greeting = "{\"greeting\":\"hello from the dashboard test\",\"n\":42}";

    private ZkActorsProcess _server = null!;
    private ZooKeeperClient _client = null!;
    private string _profile = null!;

    public async Task InitializeAsync()
    {
        _server = await ZkActorsProcess.LaunchAsync(new Dictionary<string, string> { ["admin.enableServer"] = "true" }, "dashboard");
        _client = await ZooKeeperClient.ConnectAsync(_server.ConnectString, TimeSpan.FromSeconds(10));
        await _client.CreateAsync("/dashboard-test", Encoding.UTF8.GetBytes("parent"));
        await _client.CreateAsync("/dashboard-test/greeting", Encoding.UTF8.GetBytes(Greeting));
        await _client.CreateAsync("/dashboard-test/worker-", null, CreateMode.EphemeralSequential);
        await _client.GetDataAsync("/dashboard-test/greeting", watch: true);
        _profile = Directory.CreateTempSubdirectory("zkops-chromium-").FullName;
    }

    [Fact]
    public async Task Browsing_to_a_node_shows_its_data_stat_and_acl()
    {
        Assert.True(File.Exists(TestPaths.Chromium), $"{TestPaths.Chromium} is missing: ./test.sh installs Debian's chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = TestPaths.Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        page.Console += (_, m) => output.WriteLine($"console {m.Type}: {m.Text}");
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync($"http://127.0.0.1:{_server.AdminPort}/");

        // Click through the tree: / -> dashboard-test -> greeting.
        await page.Locator("#children a.child[data-path='/dashboard-test']").ClickAsync();
        await Assertions.Expect(page.Locator("#node-path")).ToHaveTextAsync("/dashboard-test");
        await page.Locator("#children a.child[data-path='/dashboard-test/greeting']").ClickAsync();
        await Assertions.Expect(page.Locator("#node-path")).ToHaveTextAsync("/dashboard-test/greeting");
        await Assertions.Expect(page.Locator("#node-data")).ToHaveTextAsync(Greeting);
        await Assertions.Expect(page.Locator("#stat-table tr[data-stat='dataLength'] td").Nth(1)).ToHaveTextAsync(Greeting.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#acl-table tbody")).ToContainTextAsync("anyone");
        await Assertions.Expect(page.Locator("#sum-mode")).ToHaveTextAsync("standalone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OpsPaths.TestResults, "dashboard.png"), FullPage = true });

        await page.Locator("#data-mode").SelectOptionAsync("json");
        await Assertions.Expect(page.Locator("#node-data")).ToContainTextAsync("\"greeting\": \"hello from the dashboard test\"");
        await page.Locator("#data-mode").SelectOptionAsync("hex");
        await Assertions.Expect(page.Locator("#node-data")).ToContainTextAsync("00000000  7b 22 67 72");

        await page.Locator("#search-input").FillAsync("/dashboard-test/gr");
        await page.Locator("#search-form button").ClickAsync();
        await Assertions.Expect(page.Locator("#search-results a.result")).ToHaveTextAsync(["/dashboard-test/greeting"]);

        await page.Locator("button.tab[data-tab='ensemble']").ClickAsync();
        await Assertions.Expect(page.Locator("#ensemble-table tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#ensemble-table tbody")).ToContainTextAsync("standalone");

        await page.Locator("button.tab[data-tab='sessions']").ClickAsync();
        var session = $"0x{_client.SessionId:x}";
        await Assertions.Expect(page.Locator("#sessions-table tbody")).ToContainTextAsync(session);
        await Assertions.Expect(page.Locator("#sessions-table tbody")).ToContainTextAsync("/dashboard-test/worker-");

        // Writes spread over more than one 2 s poll of /metrics, so the charts have rates to plot.
        await page.Locator("button.tab[data-tab='charts']").ClickAsync();
        var until = DateTime.UtcNow.AddSeconds(5);
        for (var i = 0; DateTime.UtcNow < until; i++)
        {
            await _client.SetDataAsync("/dashboard-test", Encoding.UTF8.GetBytes($"tick {i}"));
            await Task.Delay(10);
        }
        await page.WaitForFunctionAsync("() => series.throughput.some(v => v > 0) && series.fsync.some(v => v > 0)",
            null, new PageWaitForFunctionOptions { Timeout = 20_000, PollingInterval = 250 });
        // The throughput line (#2f6fdb) is drawn in the plot area, below the "now" label.
        var drawn = await page.EvaluateAsync<bool>("""
            () => {
              const c = document.querySelector('#chart-throughput');
              const d = c.getContext('2d').getImageData(0, 24, c.width, c.height - 24).data;
              for (let i = 0; i < d.length; i += 4)
                if (Math.abs(d[i] - 0x2f) < 40 && Math.abs(d[i + 1] - 0x6f) < 40 && d[i + 2] > 180 && d[i + 3] > 200) return true;
              return false;
            }
            """);
        Assert.True(drawn, "the throughput chart drew no line");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OpsPaths.TestResults, "dashboard-charts.png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile; the OS cleans /tmp.
        }
    }
}
