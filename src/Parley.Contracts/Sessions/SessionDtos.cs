using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Parley.Contracts.Sessions;

public sealed record CreateModelProviderRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: Required, StringLength(2048, MinimumLength = 1)] string? BaseUrl = null,
    [property: StringLength(8192, MinimumLength = 1)] string? ApiKey = null,
    [property: Required, MinLength(1), MaxLength(50)] IReadOnlyList<string>? Models = null,
    [property: Required, StringLength(200, MinimumLength = 1)] string? DefaultModel = null);

public sealed record UpdateModelProviderRequest(
    [property: StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: MinLength(1), MaxLength(50)] IReadOnlyList<string>? Models = null,
    [property: StringLength(200, MinimumLength = 1)] string? DefaultModel = null);

/// <summary>An OpenAI-compatible chat-completions endpoint; its key lives in the vault (<c>key_entry_id</c>).</summary>
public sealed record ModelProviderView(
    string Id, string Name, string BaseUrl, IReadOnlyList<string> Models, string DefaultModel, string? KeyEntryId, DateTimeOffset CreatedAt);

public sealed record ModelProviderList(IReadOnlyList<ModelProviderView> Data);

public sealed record CreateSessionRequest(
    string? WorkspaceId = null,
    [property: StringLength(200, MinimumLength = 1)] string? Model = null,
    [property: StringLength(20_000)] string? System = null,
    [property: MaxLength(20)] IReadOnlyList<string>? Sites = null,
    [property: Range(0, 32)] int? MaxToolRounds = null);

public sealed record SessionView(
    string Id, string WorkspaceId, Identity.ActorRef CreatedBy, string ProviderId, string Model, string? System, IReadOnlyList<string> Sites,
    int MaxToolRounds, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt, DateTimeOffset ExpiresAt);

public sealed record SendSessionMessageRequest(
    [property: Required, StringLength(100_000, MinimumLength = 1)] string? Content = null,
    bool? Stream = null);

/// <summary>A tool call the model made: which site's tool, with which arguments.</summary>
public sealed record SessionToolCall(string Id, string SiteId, string Tool, JsonElement Arguments);

public sealed record TokenUsage(long InputTokens, long OutputTokens);

/// <summary>A message: <c>user</c>, <c>assistant</c> (possibly with tool calls) or <c>tool</c> (a tool's result).</summary>
public sealed record SessionMessageView(
    string Id, string Role, string Content, IReadOnlyList<SessionToolCall>? ToolCalls, string? ToolCallId, string Status, string? ErrorCode,
    TokenUsage? Usage, decimal? Credits, DateTimeOffset CreatedAt);

public sealed record SessionMessageList(IReadOnlyList<SessionMessageView> Data);

/// <summary>The answer to a message sent without streaming.</summary>
public sealed record SessionAnswer(SessionMessageView Message);

/// <summary>The message statuses.</summary>
public static class SessionMessageStatus
{
    public const string Complete = "complete";
    public const string Aborted = "aborted";
    public const string Failed = "failed";
}
