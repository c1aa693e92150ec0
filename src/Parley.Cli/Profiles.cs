using System.Text.Json;
using Parley.Cli.Devices;
using Parley.Contracts.Json;

namespace Parley.Cli;

/// <summary>One saved sign-in: the server, a personal access token, the workspace verbs act on by default.</summary>
internal sealed record Profile(string Server, string Token, string? TokenId, string? Workspace, string Email);

/// <summary>
/// The CLI's profiles (surfaces.md): <c>profiles.json</c> under <c>~/.config/parley</c> or <c>$PARLEY_HOME</c>, mode
/// 0600, one per name (<c>--profile</c>, <c>$PARLEY_PROFILE</c>, else <c>default</c>). <c>$PARLEY_URL</c> and
/// <c>$PARLEY_TOKEN</c> override what a profile says.
/// </summary>
internal static class Profiles
{
    public const string FileName = "profiles.json";

    private static string PathIn(string home) => Path.Combine(home, FileName);

    public static Dictionary<string, Profile> LoadAll(string home)
    {
        var path = PathIn(home);
        return File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, Profile>>(File.ReadAllText(path), ParleyJson.Options) ?? []
            : [];
    }

    public static Profile? Load(string home, string name) => LoadAll(home).GetValueOrDefault(name);

    public static void Save(string home, string name, Profile? profile)
    {
        var all = LoadAll(home);
        if (profile is null)
        {
            all.Remove(name);
        }
        else
        {
            all[name] = profile;
        }
        CliHome.Ensure(home);
        var temporary = PathIn(home) + ".tmp";
        CliHome.WritePrivate(temporary, JsonSerializer.Serialize(all, ParleyJson.Options));
        File.Move(temporary, PathIn(home), overwrite: true);
    }
}
