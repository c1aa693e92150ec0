using Microsoft.Extensions.Configuration;
using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Governance.Credits;
using Parley.Server.Governance.Plans;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

public sealed class TrustedProxyServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Network:TrustedProxies:0"] = "127.0.0.1";
        settings["Limits:Rates:test-hook:Limit"] = "1";
        settings["Limits:Rates:test-hook:WindowSeconds"] = "60";
    }
}

public sealed class TrustedProxyTests(TrustedProxyServer server) : IClassFixture<TrustedProxyServer>
{
    private Task<HttpResponseMessage> FromAsync(string forwardedFor) =>
        server.Http.SendAsync(HttpMethod.Get, "/_test/limited", headers: new Dictionary<string, string> { ["X-Forwarded-For"] = forwardedFor });

    [Fact]
    public async Task BehindATrustedProxyEachForwardedClientHasItsOwnLimit()
    {
        await (await FromAsync("203.0.113.7")).OkAsync();
        await (await FromAsync("203.0.113.8")).OkAsync();
        await (await FromAsync("203.0.113.7")).ErrorAsync(ErrorCodes.RateLimited);
        // The right-most untrusted hop is the client; what it claims further left is not believed.
        await (await FromAsync("198.51.100.1, 203.0.113.8")).ErrorAsync(ErrorCodes.RateLimited);
    }
}

public sealed class PlanCatalogTests
{
    private static PlanCatalog Catalog(Dictionary<string, string?> settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Fact]
    public void ConfiguredPlansOverrideAndExtendTheBuiltInOnes()
    {
        var catalog = Catalog(new()
        {
            ["Plans:Default"] = "startup",
            ["Plans:startup:MaxAgents"] = "2",
            ["Plans:startup:CrossOwnerRooms"] = "false",
            ["Plans:free:MaxRooms"] = "-1",
        });
        Assert.Equal("startup", catalog.DefaultPlanName);
        var startup = catalog.Get("startup");
        Assert.Equal(2, startup.MaxAgents);
        Assert.Null(startup.MaxRooms);
        Assert.False(startup.Has(PlanFeatures.CrossOwnerRooms));
        Assert.Null(catalog.Get("free").MaxRooms);
        Assert.Equal(3, catalog.Get("free").MaxAgents);
        Assert.Equal(1_000, catalog.Get("free").MonthlyGovernedCalls);
        Assert.Null(Catalog([]).Get("self-hosted").MaxAgents);
    }

    [Fact]
    public void FeaturesComeAsAListOrCommaSeparatedAndTheOlderSwitchesStillApply()
    {
        var catalog = Catalog(new()
        {
            ["Plans:lab:Features:0"] = "model_sessions",
            ["Plans:lab:Features:1"] = "gateway_proxy",
            ["Plans:lab:TeamWorkspaces"] = "true",
            ["Plans:pro:Features"] = "gateway_proxy, cross_owner_rooms",
            ["Plans:pro:MonthlyCredits"] = "12.5",
            ["Plans:pro:MonthlyMessages"] = "-1",
        });
        Assert.Equal(["model_sessions", "gateway_proxy", "team_workspaces"], catalog.Get("lab").FeatureList);
        Assert.Equal(["gateway_proxy", "cross_owner_rooms"], catalog.Get("pro").FeatureList);
        Assert.Equal(12.5m, catalog.Get("pro").MonthlyCredits);
        Assert.Null(catalog.Get("pro").MonthlyMessages);
        // Configured plans follow the built-in ones, by name.
        Assert.Equal(["free", "pro", "team", "self-hosted", "lab"], catalog.All().Select(p => p.Name));
    }

    [Theory]
    [InlineData("Plans:free:MaxAgents", "many")]
    [InlineData("Plans:free:MonthlyCredits", "-3")]
    [InlineData("Plans:free:MonthlyCredits", "0.0000001")]
    public void AMalformedPlanValueIsAConfigurationError(string key, string value) =>
        Assert.Throws<ConfigurationException>(() => Catalog(new() { [key] = value }).All());

    [Fact]
    public void ChecksAnswerTheCatalogCodes()
    {
        var catalog = Catalog([]);
        var limit = Assert.Throws<ApiException>(() => PlanCatalog.EnsureBelowLimit("agents", 3, 3));
        Assert.Equal(ErrorCodes.FeatureLimitReached, limit.Code);
        Assert.Equal(3L, limit.Details!["count"]);
        PlanCatalog.EnsureBelowLimit("agents", 3, 2);
        Assert.Equal(ErrorCodes.WorkspaceRequired, Assert.Throws<ApiException>(() => PlanCatalog.EnsureTeamWorkspaces(catalog.Get("pro"))).Code);
        var upgrade = Assert.Throws<ApiException>(() => catalog.EnsureFeature(catalog.Get("free"), PlanFeatures.CrossOwnerRooms));
        Assert.Equal(ErrorCodes.UpgradeRequired, upgrade.Code);
        Assert.Equal("pro", upgrade.Details!["required_plan"]);
    }
}

public sealed class PriceTests
{
    private static Prices Of(Dictionary<string, string?> settings) => new(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Fact]
    public void PricesAreCreditsPerUnitWithAModelsOwnPriceWinningAndFreeByDefault()
    {
        var prices = Of(new()
        {
            ["Governance:Prices:governed_call"] = "0.01",
            ["Governance:Prices:model_output_1k_tokens"] = "0.3",
            ["Governance:Prices:Models:big-model:model_output_1k_tokens"] = "1.2",
        });
        Assert.Equal(10_000, prices.MicrosOf(Prices.GovernedCall));
        Assert.Equal(300_000, prices.MicrosOf(Prices.ModelOutput1kTokens, "small-model"));
        Assert.Equal(1_200_000, prices.MicrosOf(Prices.ModelOutput1kTokens, "big-model"));
        Assert.Equal(0, prices.MicrosOf(Prices.RunMinute));
        Assert.Throws<ArgumentOutOfRangeException>(() => prices.MicrosOf("teleport"));
    }

    [Theory]
    [InlineData("Governance:Prices:governed_call", "free")]
    [InlineData("Governance:Prices:governed_call", "-1")]
    [InlineData("Governance:Prices:Models:m:teleport", "1")]
    public void AMalformedPriceIsAConfigurationError(string key, string value) =>
        Assert.Throws<ConfigurationException>(() => Of(new() { [key] = value }).Validate());
}
