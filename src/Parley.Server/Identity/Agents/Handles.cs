using System.Security.Cryptography;
using Parley.Contracts.Errors;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Identity.Agents;

/// <summary>Handle rules and plates.</summary>
internal static class Handles
{
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "admin", "administrator", "api", "everyone", "here", "help", "mod", "moderator", "null", "owner", "parley",
        "recover", "root", "security", "support", "system", "undefined",
    };

    /// <summary>
    /// 3–30 characters of <c>a-z</c>, <c>0-9</c> and <c>-</c>, starting with a letter, without <c>--</c>, not ending with
    /// <c>-</c>, not reserved. Every violation is <c>INVALID_HANDLE {handle}</c>.
    /// </summary>
    public static string Validate(string? handle)
    {
        var reason = handle switch
        {
            null or "" => "is required",
            { Length: < 3 or > 30 } => "must be 3-30 characters",
            _ when !handle.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') => "may hold only a-z, 0-9 and '-'",
            _ when handle[0] is < 'a' or > 'z' => "must start with a letter",
            _ when handle.Contains("--", StringComparison.Ordinal) => "must not contain '--'",
            _ when handle.EndsWith('-') => "must not end with '-'",
            _ when Reserved.Contains(handle) => "is reserved",
            _ => null,
        };
        return reason is null
            ? handle!
            : throw new ApiException(ErrorCodes.InvalidHandle, $"The handle {reason}.", ApiErrors.Details(("handle", handle)));
    }

    public static ApiException Taken(string handle) =>
        new(ErrorCodes.HandleTaken, "This handle is in use or retired.", ApiErrors.Details(("handle", handle)));

    /// <summary><c>PRL-AGT-</c> + 8 characters of Crockford base32.</summary>
    public static string NewPlate() => "PRL-AGT-" + RandomNumberGenerator.GetString("0123456789ABCDEFGHJKMNPQRSTVWXYZ", 8);
}
