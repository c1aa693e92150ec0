using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Owners;
using Parley.Server.Platform.Http;

namespace Parley.Server.Identity.Auth;

internal enum CallerKind
{
    Account,
    Agent,
    Device,
}

internal enum CredentialKind
{
    Session,
    PersonalToken,
    SecretKey,
    PublishableKey,
    Passport,
    DeviceToken,
}

internal static class Scopes
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Upload = "upload";
    public const string Download = "download";
    public const string Invoke = "invoke";

    public static readonly IReadOnlyList<string> All = [Read, Write, Upload, Download, Invoke];

    public static string Join(IEnumerable<string> scopes) => string.Join(' ', scopes.Distinct().OrderBy(s => All.ToList().IndexOf(s)));

    public static IReadOnlySet<string> Parse(string scopes) => scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
}

/// <summary>
/// The one principal every credential kind produces, set as an HTTP feature by authentication. Handlers and services
/// read it through <see cref="CallerExtensions.Caller"/>; it always reflects the current stored state of the account
/// or agent (never what a token claimed at minting).
/// </summary>
internal sealed class Caller : ICallerKey
{
    public required CallerKind Kind { get; init; }
    public required CredentialKind Credential { get; init; }

    /// <summary>The session, token, key or passport's source key that authenticated the request.</summary>
    public required string CredentialId { get; init; }

    public Account? Account { get; init; }
    public Agent? Agent { get; init; }
    public Devices.Device? Device { get; init; }

    /// <summary>Agent credentials' scopes; owners act with every scope.</summary>
    public IReadOnlySet<string> Scopes { get; init; } = new HashSet<string>();

    public bool IsInstanceAdmin { get; init; }

    public string Id => Kind switch
    {
        CallerKind.Account => Account!.Id,
        CallerKind.Agent => Agent!.Id,
        _ => Device!.Id,
    };

    public string PartitionKey => Kind switch
    {
        CallerKind.Account => "account:",
        CallerKind.Agent => "agent:",
        _ => "device:",
    } + Id;

    /// <summary>Owners act with every scope; agents with their credential's; a device has none (it only opens the listener's routes).</summary>
    public bool HasScope(string scope) => Kind == CallerKind.Account || (Kind == CallerKind.Agent && Scopes.Contains(scope));

    /// <summary>Binds the authenticated caller as a handler parameter (endpoints behind an access rule always have one).</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(context.Caller());
}

internal static class CallerExtensions
{
    /// <summary>The authenticated caller; endpoints behind an access rule always have one.</summary>
    public static Caller Caller(this HttpContext context) =>
        context.Features.Get<Caller>() ?? throw new InvalidOperationException("No authenticated caller: the endpoint lacks an access rule.");

    public static Caller? CallerOrNull(this HttpContext context) => context.Features.Get<Caller>();
}
