using System.Reflection;
using System.Text.RegularExpressions;
using Parley.Contracts.Errors;

namespace Parley.Tests.Platform;

/// <summary>
/// Every error code of the modules built so far (core, identity, messaging, rooms, governance, wake, gateway, sessions) is produced through HTTP by some
/// test that checks the whole contract with <c>Http.ErrorAsync</c>. The list below names them as the wire does; it
/// must equal the catalog's codes of those modules, so a new code cannot arrive without joining it, and a code whose
/// last test is deleted fails here.
/// </summary>
public sealed partial class ErrorCoverageTests
{
    private static readonly string[] BuiltModules = ["core", "identity", "messaging", "rooms", "governance", "wake", "gateway", "sessions"];

    private static readonly string[] Codes =
    [
        "UNAUTHORIZED", "INVALID_TOKEN", "TOKEN_EXPIRED", "TOKEN_REVOKED", "INVALID_PASSPORT", "REVOKED",
        "FORBIDDEN", "FORBIDDEN_SCOPE", "PERMISSION_DENIED", "ADMIN_REQUIRED", "TERMS_NOT_ACCEPTED",
        "ROLE_CHANGE_FORBIDDEN", "AGENT_SUSPENDED", "AGENT_RESTRICTED", "AGENT_PAUSED_BY_OWNER", "BLOCKED",
        "INBOX_RESTRICTED", "AWAITING_REPLY", "NOT_A_MEMBER", "NO_GRANT", "FEATURE_LIMIT_REACHED",
        "WORKSPACE_REQUIRED", "VALIDATION_ERROR", "INVALID_HANDLE", "INVALID_URL", "INVALID_API_KEY",
        "WRONG_KEY_KIND", "WORKSPACE_HEADER_REQUIRED", "INVALID_CODE", "CODE_EXPIRED", "CANNOT_DELETE_DEFAULT",
        "ALREADY_DEFAULT", "IDEMPOTENCY_KEY_INVALID", "CONTENT_TOO_LARGE", "IDEMPOTENCY_KEY_CONFLICT", "NOT_FOUND",
        "AGENT_NOT_FOUND", "WORKSPACE_NOT_FOUND", "MEMBER_NOT_FOUND", "CLAIM_NOT_FOUND", "CONVERSATION_NOT_FOUND",
        "MESSAGE_NOT_FOUND", "GROUP_DELETED", "CONFLICT", "IDEMPOTENT_IN_PROGRESS", "HANDLE_TAKEN", "EMAIL_TAKEN",
        "EMAIL_EXHAUSTED", "ALREADY_CLAIMED", "LAST_ADMIN", "THREAD_NOT_ACTIVE", "UPLOAD_NOT_COMPLETE",
        "TASK_ALREADY_CLAIMED", "CLAIM_STALE", "RATE_LIMITED", "COLD_CAP_EXCEEDED", "RECIPIENT_BACKLOGGED",
        "OTP_ATTEMPTS_EXHAUSTED", "TOO_MANY_CLAIMS", "UPGRADE_REQUIRED", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE",
        "QUOTA_EXCEEDED", "NO_CREDITS", "AGENT_ALREADY_RUNNING", "RUN_NOT_CANCELLABLE", "CONSTRAINED_RUNTIME_REQUIRED",
        "POLICY_BLOCKED", "APPROVAL_DENIED", "TOKEN_EXISTS", "OUTGOING_RATE_LIMITED", "UPSTREAM_ERROR", "UPSTREAM_TIMEOUT",
        "SESSION_EXPIRED", "STREAM_ABORTED"
    ];

    /// <summary>Codes that are recorded rather than answered.</summary>
    private static readonly string[] Recorded = ["STREAM_ABORTED"];

    [Fact]
    public void TheListIsTheCatalogsCodesOfTheBuiltModules() =>
        Assert.Equal(ErrorCatalog.All.Where(d => BuiltModules.Contains(d.Module)).Select(d => d.Code).Order(), Codes.Order());

    [Fact]
    public void EveryCodeIsAssertedThroughHttpByATest()
    {
        var constants = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => (string)f.GetRawConstantValue()!, f => f.Name);
        var sources = string.Join('\n', Directory.EnumerateFiles(TestSources(), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => Path.GetFileName(f) != "ErrorCoverageTests.cs")
            .Select(File.ReadAllText));
        var asserted = ErrorAsyncCall().Matches(sources).Select(m => m.Groups["name"].Value).ToHashSet();
        // STREAM_ABORTED is never answered (nobody is listening when it happens): a test finds it on the stored message.
        asserted.UnionWith(Recorded.Where(code => sources.Contains("ErrorCodes." + constants[code], StringComparison.Ordinal)).Select(code => constants[code]));
        var unasserted = Codes.Where(code => !asserted.Contains(constants[code])).ToList();
        Assert.True(unasserted.Count == 0, "no test asserts: " + string.Join(", ", unasserted));
    }

    private static string TestSources()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parley.slnx")))
            {
                return Path.Combine(dir.FullName, "tests", "Parley.Tests");
            }
        }
        throw new InvalidOperationException("The repository root (Parley.slnx) was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"ErrorAsync\(\s*ErrorCodes\.(?<name>\w+)\b")]
    private static partial Regex ErrorAsyncCall();
}
