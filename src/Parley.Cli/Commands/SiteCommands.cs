using System.CommandLine;
using System.Globalization;
using Parley.Contracts.Gateway;

namespace Parley.Cli.Commands;

/// <summary><c>parley sites list|add|refresh|rm</c>: tool sites whose tools the workspace's agents and sessions call (gateway.md).</summary>
internal sealed class SitesCommand : Command
{
    private static readonly Argument<string> Site = new("site") { Description = "The site (site_…)." };
    private static readonly Argument<string> Url = new("url") { Description = "The site's address (it publishes its tools at /.well-known/webmcp.json)." };
    private static readonly Option<bool> TokenOnStdin = new("--token-stdin") { Description = "Read the site's token from standard input (it goes into the vault)." };
    private static readonly Option<bool> PresentIdentity = new("--present-identity") { Description = "Send the calling agent's identity token to the site." };

    public SitesCommand(CliConsole console) : base("sites", "Tool sites: their tools become calls agents and sessions can make.")
    {
        Subcommands.Add(new Verb("list", "The workspace's sites and their tools.", console, async (client, parse, ws, self, ct) =>
        {
            var sites = await client.ListSitesAsync(ws, ct);
            await self.ShowAsync(parse, sites, ["id", "name", "url", "tools", "refreshed"], sites.Data.Select(s => new[]
            {
                s.Site.Id, s.Site.Name, s.Site.Url, string.Join(' ', s.Tools.Select(t => t.Name)), RoomsCommand.Time(s.Site.RefreshedAt),
            }));
        }));

        var add = new Verb("add", "Adds a site: its manifest is read and its tools listed.", console, async (client, parse, ws, self, ct) =>
        {
            string? token = null;
            if (parse.GetValue(TokenOnStdin))
            {
                token = (await System.Console.In.ReadLineAsync(ct))?.Trim();
            }
            var created = await client.CreateSiteAsync(ws, new CreateSiteRequest(parse.GetValue(Url), token, parse.GetValue(PresentIdentity) ? true : null), ct);
            await self.ShowAsync(parse, created, ["id", "name", "tools"],
                [[created.Site.Id, created.Site.Name, created.Tools.Count.ToString(CultureInfo.InvariantCulture)]]);
        });
        add.Arguments.Add(Url);
        add.Options.Add(TokenOnStdin);
        add.Options.Add(PresentIdentity);
        Subcommands.Add(add);

        var refresh = new Verb("refresh", "Reads the site's tools again.", console, async (client, parse, ws, self, ct) =>
        {
            var refreshed = await client.RefreshSiteAsync(ws, parse.GetValue(Site)!, ct);
            await self.ShowAsync(parse, refreshed, ["id", "name", "tools"],
                [[refreshed.Site.Id, refreshed.Site.Name, string.Join(' ', refreshed.Tools.Select(t => t.Name))]]);
        });
        refresh.Arguments.Add(Site);
        Subcommands.Add(refresh);

        var remove = new Verb("rm", "Removes a site.", console, async (client, parse, ws, _, ct) => await client.DeleteSiteAsync(ws, parse.GetValue(Site)!, ct));
        remove.Arguments.Add(Site);
        Subcommands.Add(remove);
    }
}
