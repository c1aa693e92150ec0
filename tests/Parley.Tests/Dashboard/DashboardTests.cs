using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Client;
using Parley.Client.Wake;
using Parley.Contracts.Wake;
using Parley.Tests.Gateway;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Dashboard;

/// <summary>
/// A server for the dashboard's tests with a real browser: Debian's Chromium (<c>$PARLEY_CHROMIUM</c>, else
/// <c>/usr/bin/chromium</c>) driven by Playwright, one browser for the class, a fresh context (cookies) per test.
/// </summary>
public sealed class DashboardServer : GatewayServer, IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests save their screenshots: <c>$PARLEY_SCREENSHOTS</c> (the docs use them), else a temporary folder.</summary>
    public static string Screenshots { get; } = Environment.GetEnvironmentVariable("PARLEY_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(Path.GetTempPath(), "parley-screenshots");

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("PARLEY_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    public new async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>A new browser (its own cookies) signed in as <paramref name="owner"/>, on the overview.</summary>
    public async Task<IPage> SignedInAsync(Owner owner)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin"));
        await page.GetByLabel("Email").FillAsync(owner.Email);
        await page.GetByLabel("Password").FillAsync(owner.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }
}

/// <summary>The owner dashboard in a real browser against a real server: every flow of the dashboard issue.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class DashboardTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    [Fact]
    public async Task AnOwnerSignsInCreatesAnAgentAndCopiesItsKeyWhichWorks()
    {
        var owner = await server.SignupAsync();
        var page = await server.SignedInAsync(owner);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This month" })).ToBeVisibleAsync();
        await DashboardServer.ScreenshotAsync(page, "overview");

        await page.GetByRole(AriaRole.Link, new() { Name = "Agents" }).ClickAsync();
        var handle = "web-" + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("New agent's handle").FillAsync(handle);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create agent" }).ClickAsync();
        var key = (await page.Locator("#new-key").TextContentAsync())!.Trim();
        Assert.StartsWith("prl_sk_", key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        Assert.Equal(key, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await DashboardServer.ScreenshotAsync(page, "agents");

        // The copied key is the agent's: it works on the API. Reloading never shows it again.
        var me = await (await server.Http.GetAsync("/v1/agents/me", key)).OkAsync();
        Assert.Equal(handle, me.GetProperty("handle").GetString());
        await page.GotoAsync("/agents");
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

        // Pausing from the page is the API's pause.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Pause @{handle}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"@{handle} paused.");
        var agent = await (await server.Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{me.GetProperty("id").GetString()}", owner.AccessToken)).OkAsync();
        Assert.Equal("full", agent.GetProperty("paused").GetString());

        // Signing out ends the session on the server: the old cookie opens nothing.
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "parley_session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin"));
        using var stale = new HttpRequestMessage(HttpMethod.Get, "/agents");
        stale.Headers.Add("Cookie", "parley_session=" + cookie.Value);
        var refused = await NoRedirects().SendAsync(stale);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
    }

    [Fact]
    public async Task ADevicePairingStartedByARealParleyPairIsApprovedFromTheLinkItPrints()
    {
        var owner = await server.SignupAsync();
        var page = await server.SignedInAsync(owner);
        var home = Path.Combine(Path.GetTempPath(), "parley-web-pair-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        await using var pair = CliProcess.Start(home, ["pair", "--name", "studio-laptop", "--server", server.BaseAddress.ToString()]);
        var line = await pair.WaitForLineAsync("To pair this machine, open ");
        var link = new Uri(line[(line.IndexOf("open ", StringComparison.Ordinal) + 5)..].Trim());
        Assert.Equal("/devices/approve", link.AbsolutePath);

        await page.GotoAsync(link.PathAndQuery);
        await DashboardServer.ScreenshotAsync(page, "device-approve");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("studio-laptop is paired");
        server.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, await pair.WaitForExitAsync());
        Assert.Contains("Paired: studio-laptop is dev_", pair.Text, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Link, new() { Name = "Devices", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "studio-laptop" })).ToBeVisibleAsync();
        await DashboardServer.ScreenshotAsync(page, "devices");
    }

    [Fact]
    public async Task ARunAppearsAndFinishesOnTheRunsPageWithoutAReload()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        // A device of the workspace (the SDK as the listener) that runs the agent.
        using var ownerClient = new ParleyClient(server.BaseAddress, owner.AccessToken);
        using var device = new ParleyClient(server.BaseAddress);
        var pairing = await device.StartPairingAsync("ci-box", "linux", [Hosts.Custom]);
        await ownerClient.ApproveDeviceAsync(owner.WorkspaceId, pairing.UserCode);
        server.Clock.Advance(TimeSpan.FromSeconds(pairing.Interval));
        device.Credential = (await device.WaitForPairingAsync(pairing)).DeviceToken;
        await device.SetBindingsAsync([new BindingRequest(agent.Handle, Hosts.Custom, false)]);
        await using var listener = await device.ConnectListenerAsync(new ListenerOptions { ListenerVersion = "dashboard-test", Hosts = [Hosts.Custom] });
        var wakes = listener.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await wakes.MoveNextAsync()); // connected

        var page = await server.SignedInAsync(owner);
        await page.GotoAsync($"/runs?ws={owner.WorkspaceId}");
        await Assertions.Expect(page.Locator("body[data-live-connected]")).ToHaveCountAsync(1);

        // Started from the page; the device is woken, accepts and finishes it; the row follows without a reload.
        await page.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Run run_");
        Assert.True(await wakes.MoveNextAsync());
        var runId = (await ownerClient.ListRunsAsync(owner.WorkspaceId)).Data.Single().Id;
        var row = page.Locator($"tr[data-run='{runId}']");
        await Assertions.Expect(page.Locator("body[data-live-connected]")).ToHaveCountAsync(1);
        var marker = await page.EvaluateAsync<string>("() => { window.__sameDocument = 'yes'; return window.__sameDocument; }");
        await device.AcceptRunAsync(runId);
        await Assertions.Expect(row).ToContainTextAsync("running");
        await device.FinishRunAsync(runId, new FinishRunRequest(RunStatus.Succeeded, 0, Summary: "tidied", OutputTail: "3 files tidied"));
        await Assertions.Expect(row).ToContainTextAsync("succeeded");
        // The same document all along: the row changed from the event stream, not a navigation.
        Assert.Equal(marker, await page.EvaluateAsync<string>("() => window.__sameDocument"));
        await DashboardServer.ScreenshotAsync(page, "runs");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync("succeeded");
        await Assertions.Expect(page.Locator("pre.tail")).ToHaveTextAsync("3 files tidied");
        await DashboardServer.ScreenshotAsync(page, "run");
    }

    [Fact]
    public async Task AHeldCallIsApprovedLiveWhileTheCallerWaitsAndTheUsageBarsCountIt()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await server.AddRuleAsync(owner, new { name = "ask me", host_pattern = server.Plain.HostPattern, action = "manual_approval" });
        var page = await server.SignedInAsync(owner);
        await page.GotoAsync($"/gateway?ws={owner.WorkspaceId}");
        await Assertions.Expect(page.Locator("body[data-live-connected]")).ToHaveCountAsync(1);

        var call = server.CallAsync(agent, "GET", server.Plain.Url("/approved-in-the-browser"));
        var approval = page.Locator("article.approval");
        await Assertions.Expect(approval).ToContainTextAsync($"@{agent.Handle} wants GET");
        Assert.False(call.IsCompleted);
        await DashboardServer.ScreenshotAsync(page, "gateway");
        await approval.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        var answer = await (await call).OkAsync();
        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        Assert.Single(server.Plain.Requests, r => r.Path == "/approved-in-the-browser");

        // The vault from the page: add a credential, rotate it; its value is never shown.
        await page.GetByLabel("Name", new() { Exact = true }).First.FillAsync("upstream key");
        await page.Locator("#v-host").FillAsync("api.example.org");
        await page.Locator("#v-value").FillAsync("first-secret-1111");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to vault" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("upstream key was added (…1111).");
        await page.GetByLabel("New value for upstream key").FillAsync("second-secret-2222");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("upstream key now ends …2222.");
        Assert.DoesNotContain("second-secret", await page.ContentAsync(), StringComparison.Ordinal);

        // The overview's bar for governed calls counts it, and so does the usage page's chart.
        await page.GotoAsync($"/?ws={owner.WorkspaceId}");
        var bar = page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("^governed_calls: ") });
        await Assertions.Expect(bar).ToHaveAttributeAsync("aria-label", new Regex("^governed_calls: 1 "));
        await page.GotoAsync($"/usage?ws={owner.WorkspaceId}");
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("^governed_calls: 1 ") }).First).ToBeVisibleAsync();
        await DashboardServer.ScreenshotAsync(page, "usage");
    }

    [Fact]
    public async Task AnOwnerAcceptsAnotherOwnersTaskFromTheConsentInboxAndAnAdminSuspendsAnAgent()
    {
        var setup = await server.CrossOwnerRoomAsync(scopesOfA: ["read", "write", "invoke"]);
        var task = await server.CreateTaskAsync(setup.OwnerA.AccessToken, setup.RoomId, "Review the contract", assignee: setup.AgentB.Plate);
        var page = await server.SignedInAsync(setup.OwnerB);
        await page.GetByRole(AriaRole.Link, new() { Name = "Rooms", Exact = true }).ClickAsync();
        var pending = page.Locator($"article[data-task='{task.Id()}']");
        await Assertions.Expect(pending).ToContainTextAsync("Review the contract");
        await DashboardServer.ScreenshotAsync(page, "rooms");
        await pending.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("was accepted");
        Assert.Equal("accepted", (await server.GetTaskAsync(setup.OwnerA.AccessToken, task.Id())).GetProperty("consent").GetString());

        // The room itself: the board shows the task; a message posted here is in the thread for everyone.
        await page.Locator($"a[href^='/rooms/{setup.RoomId}']").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "Review the contract" })).ToBeVisibleAsync();
        await page.GetByLabel("Message").FillAsync("On it this afternoon.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post" }).ClickAsync();
        await Assertions.Expect(page.Locator("#thread")).ToContainTextAsync("On it this afternoon.");
        await DashboardServer.ScreenshotAsync(page, "room");
        var thread = await (await server.Http.GetAsync($"/v1/rooms/{setup.RoomId}/messages", setup.OwnerA.AccessToken)).OkAsync();
        Assert.Contains(thread.GetProperty("data").EnumerateArray(), m => m.GetProperty("body").GetString() == "On it this afternoon.");

        // An instance admin suspends agent A from the admin page: it can no longer act.
        await server.AdminTokenAsync();
        var admin = await server.SignedInAsync(new Owner("", Actors.AdminEmail, "correct horse battery", "", "", ""));
        await admin.GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true }).ClickAsync();
        await admin.GetByLabel("Agent id").FillAsync(setup.AgentA.Id);
        await admin.GetByLabel("Action").SelectOptionAsync("suspend");
        await admin.Locator("#agent-reason").FillAsync("spam reports");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync($"@{setup.AgentA.Handle} is suspended.");
        await DashboardServer.ScreenshotAsync(admin, "admin");
        Assert.Equal("suspended", (await (await server.Http.GetAsync("/v1/agents/me", setup.AgentA.ApiKey)).OkAsync()).GetProperty("status").GetString());
        await (await server.Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "still here?" }, setup.AgentA.ApiKey))
            .ErrorAsync(Parley.Contracts.Errors.ErrorCodes.AgentSuspended);
        // A person who is not an instance admin sees no admin page.
        await page.GotoAsync("/admin");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("for the instance's admins");
    }

    [Fact]
    public async Task TheMainPagesWorkFromTheKeyboardAlone()
    {
        var owner = await server.SignupAsync();
        var page = await server.SignedInAsync(owner);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Overview", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        // Tab along the navigation to each main page and open it with Enter.
        foreach (var (name, path) in new[] { ("Agents", "/agents"), ("Devices", "/devices"), ("Runs", "/runs"), ("Rooms", "/rooms"), ("Gateway", "/gateway"), ("Usage & plan", "/usage") })
        {
            await page.Keyboard.PressAsync("Tab");
            for (var i = 0; i < 10 && await page.EvaluateAsync<string>("() => document.activeElement.textContent") != name; i++)
            {
                await page.Keyboard.PressAsync("Tab");
            }
            Assert.Equal(name, await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "\\?ws="));
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = name })).ToHaveAttributeAsync("aria-current", "page");
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.PressAsync("Tab");
        }
        // A form from the keyboard: the new agent's handle, then Enter.
        await page.GotoAsync($"/agents?ws={owner.WorkspaceId}");
        await page.GetByLabel("New agent's handle").FocusAsync();
        await page.Keyboard.TypeAsync("typed-agent");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#new-key")).ToContainTextAsync("prl_sk_");
    }

    [Fact]
    public async Task AFormPostWithoutTheAntiforgeryTokenIsRefusedAndAgentCredentialsOpenNoPage()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var page = await server.SignedInAsync(owner);
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "parley_session").Value;
        var http = NoRedirects();

        // The session cookie alone (what a cross-site form would carry, were SameSite not Strict) makes no agent.
        using (var forged = new HttpRequestMessage(HttpMethod.Post, $"/agents?handler=Create&ws={owner.WorkspaceId}")
               { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["handle"] = "forged-agent" }) })
        {
            forged.Headers.Add("Cookie", "parley_session=" + session);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(forged)).StatusCode);
        }
        var agents = await (await server.Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/agents", owner.AccessToken)).OkAsync();
        Assert.DoesNotContain(agents.GetProperty("data").EnumerateArray(), a => a.GetProperty("handle").GetString() == "forged-agent");

        // An agent's key, as a bearer token or in the cookie, opens no page; neither does an owner's API token.
        foreach (var path in new[] { "/", "/agents", "/devices", "/runs", "/gateway", "/usage", "/devices/approve?code=ABCD-EFGH", "/dashboard/events?ws=" + owner.WorkspaceId })
        {
            foreach (var (header, value) in new[] { ("Authorization", "Bearer " + agent.ApiKey), ("Cookie", "parley_session=" + agent.ApiKey), ("Authorization", "Bearer " + owner.AccessToken) })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.TryAddWithoutValidation(header, value);
                var response = await http.SendAsync(request);
                Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Unauthorized, $"{path} with {header}: {response.StatusCode}");
                if (response.StatusCode == HttpStatusCode.Redirect)
                {
                    Assert.StartsWith("/signin", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
                }
            }
        }

        // Every page is sent with the security headers.
        var overview = await page.GotoAsync("/");
        var headers = overview!.Headers;
        Assert.Contains("script-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
    }

    private HttpClient NoRedirects() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.BaseAddress };
}
