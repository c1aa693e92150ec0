using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Parley.Contracts.Sessions;

/// <summary>The body of <c>POST /v1/workspaces/{ws}/models</c> (workspace admins): an OpenAI-compatible chat-completions endpoint.</summary>
/// <param name="Name">A name for people: required, 1–100 characters (trimmed).</param>
/// <param name="BaseUrl">The provider's absolute <c>http(s)</c> base URL (e.g. <c>https://api.example.com/v1</c>): required, 1–2,048 characters.</param>
/// <param name="ApiKey">
/// The provider's key (1–8,192 characters): it becomes a vault entry for the provider's host, injected as
/// <c>Authorization: Bearer &lt;key&gt;</c> (<c>TOKEN_EXISTS</c> when one exists). Null for a provider without a key.
/// </param>
/// <param name="Models">The models it serves: required, 1–50 names of 1–200 characters (trimmed, repeats collapse).</param>
/// <param name="DefaultModel">The provider's default model: required, one of <paramref name="Models"/> (a session that names no model gets the first provider's).</param>
public sealed record CreateModelProviderRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: Required, StringLength(2048, MinimumLength = 1)] string? BaseUrl = null,
    [property: StringLength(8192, MinimumLength = 1)] string? ApiKey = null,
    [property: Required, MinLength(1), MaxLength(50)] IReadOnlyList<string>? Models = null,
    [property: Required, StringLength(200, MinimumLength = 1)] string? DefaultModel = null);

/// <summary>
/// The body of <c>PATCH /v1/workspaces/{ws}/models/{id}</c> (workspace admins): absent members stay as they are; an
/// empty body answers <c>VALIDATION_ERROR</c>. The key and base URL cannot change here (the key is a vault entry).
/// </summary>
/// <param name="Name">A new name: 1–100 characters (trimmed).</param>
/// <param name="Models">A new list of models: 1–50 names of 1–200 characters; it must still contain the default model.</param>
/// <param name="DefaultModel">A new default model: one of the provider's models.</param>
public sealed record UpdateModelProviderRequest(
    [property: StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: MinLength(1), MaxLength(50)] IReadOnlyList<string>? Models = null,
    [property: StringLength(200, MinimumLength = 1)] string? DefaultModel = null);

/// <summary>An OpenAI-compatible chat-completions endpoint; its key lives in the vault (<c>key_entry_id</c>).</summary>
/// <remarks>The answer of <c>POST</c> (201), <c>GET</c> and <c>PATCH</c> on <c>/v1/workspaces/{ws}/models[/{id}]</c>.</remarks>
/// <param name="Id">The provider's id (<c>mdl_…</c>).</param>
/// <param name="Name">Its name.</param>
/// <param name="BaseUrl">Its base URL, without a trailing <c>/</c>.</param>
/// <param name="Models">The models it serves.</param>
/// <param name="DefaultModel">Its default model, one of <paramref name="Models"/>: a session that names no model gets the default model of the workspace's first provider.</param>
/// <param name="KeyEntryId">The vault entry holding its key (<c>sec_…</c>); null when it was made without one.</param>
/// <param name="CreatedAt">When it was added (RFC 3339 UTC).</param>
public sealed record ModelProviderView(
    string Id, string Name, string BaseUrl, IReadOnlyList<string> Models, string DefaultModel, string? KeyEntryId, DateTimeOffset CreatedAt);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/models</c>.</summary>
/// <param name="Data">The workspace's model providers, by id.</param>
public sealed record ModelProviderList(IReadOnlyList<ModelProviderView> Data);

/// <summary>The body of <c>POST /v1/sessions</c> (an owner or an agent): a conversation with a model of the workspace.</summary>
/// <param name="WorkspaceId">
/// For a person in several workspaces, the workspace whose models and sites to use (<c>ws_…</c>); ignored for an agent
/// (its owner's workspace). Null for a person's only workspace.
/// </param>
/// <param name="Model">The model (1–200 characters), one a provider of the workspace serves; null for the first provider's default model.</param>
/// <param name="System">A system prompt for the model: at most 20,000 characters; null for none.</param>
/// <param name="Sites">The sites (<c>site_…</c>, of the workspace) whose tools the model may call: at most 20; null for none.</param>
/// <param name="MaxToolRounds">The most rounds of tool calls per message, 0–32; null means 8 (<c>Sessions:DefaultMaxToolRounds</c>).</param>
public sealed record CreateSessionRequest(
    string? WorkspaceId = null,
    [property: StringLength(200, MinimumLength = 1)] string? Model = null,
    [property: StringLength(20_000)] string? System = null,
    [property: MaxLength(20)] IReadOnlyList<string>? Sites = null,
    [property: Range(0, 32)] int? MaxToolRounds = null);

/// <summary>A model session, as <c>POST /v1/sessions</c> (201) and <c>GET /v1/sessions/{id}</c> answer it.</summary>
/// <param name="Id">The session's id (<c>ses_…</c>).</param>
/// <param name="WorkspaceId">The workspace whose models and sites it uses (<c>ws_…</c>).</param>
/// <param name="CreatedBy">The person or agent who made it; only they may send to it.</param>
/// <param name="ProviderId">The model provider that serves it (<c>mdl_…</c>).</param>
/// <param name="Model">The model it talks to.</param>
/// <param name="System">Its system prompt; null for none.</param>
/// <param name="Sites">The sites whose tools the model may call (<c>site_…</c>); empty for none.</param>
/// <param name="MaxToolRounds">The most rounds of tool calls per message.</param>
/// <param name="CreatedAt">When it was made (RFC 3339 UTC).</param>
/// <param name="LastMessageAt">When the last message was sent to it (RFC 3339 UTC); its creation time before any.</param>
/// <param name="ExpiresAt">
/// When it expires (RFC 3339 UTC): <c>Sessions:IdleMinutes</c> (60) after the last message, but at most
/// <c>Sessions:MaxHours</c> (24) after its creation; later messages answer <c>SESSION_EXPIRED</c>.
/// </param>
public sealed record SessionView(
    string Id, string WorkspaceId, Identity.ActorRef CreatedBy, string ProviderId, string Model, string? System, IReadOnlyList<string> Sites,
    int MaxToolRounds, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt, DateTimeOffset ExpiresAt);

/// <summary>The body of <c>POST /v1/sessions/{id}/messages</c> (the session's creator): one message to the model.</summary>
/// <param name="Content">The message's text: required, 1–100,000 characters.</param>
/// <param name="Stream">
/// <c>true</c> for the answer as Server-Sent Events (<c>delta</c>, <c>tool_call</c>, <c>tool_result</c>, <c>done</c>,
/// <c>error</c>); null means <c>true</c> when <c>Accept</c> asks for <c>text/event-stream</c>; otherwise a <see cref="SessionAnswer"/>.
/// </param>
public sealed record SendSessionMessageRequest(
    [property: Required, StringLength(100_000, MinimumLength = 1)] string? Content = null,
    bool? Stream = null);

/// <summary>A tool call the model made: which site's tool, with which arguments.</summary>
/// <param name="Id">The tool call's id, as the model gave it; the <c>tool_call_id</c> of the <c>tool</c> message with its result.</param>
/// <param name="SiteId">The site whose tool it is (<c>site_…</c>); empty when the model named a tool the session does not offer.</param>
/// <param name="Tool">The tool's name (the function's name the model used, when the session does not offer it).</param>
/// <param name="Arguments">The arguments the model gave, as JSON.</param>
public sealed record SessionToolCall(string Id, string SiteId, string Tool, JsonElement Arguments);

/// <summary>The tokens a model answer took (<c>usage</c> in <see cref="SessionMessageView"/>), summed over the provider calls of one message.</summary>
/// <param name="InputTokens">Prompt tokens, as the provider reported them.</param>
/// <param name="OutputTokens">Completion tokens, as the provider reported them.</param>
public sealed record TokenUsage(long InputTokens, long OutputTokens);

/// <summary>A message: <c>user</c>, <c>assistant</c> (possibly with tool calls) or <c>tool</c> (a tool's result).</summary>
/// <remarks>An item of <c>GET /v1/sessions/{id}/messages</c> (oldest first), and the answer inside <see cref="SessionAnswer"/>.</remarks>
/// <param name="Id">The message's id (<c>smsg_…</c>).</param>
/// <param name="Role"><c>user</c>, <c>assistant</c> or <c>tool</c>.</param>
/// <param name="Content">
/// The text: what the user sent, what the model answered, or for <c>tool</c> the tool's JSON result (or <c>{"error": …}</c>);
/// empty for a <c>failed</c> or <c>aborted</c> answer (partial text is not kept).
/// </param>
/// <param name="ToolCalls">For an <c>assistant</c> message that called tools, the calls; else null.</param>
/// <param name="ToolCallId">For a <c>tool</c> message, the call it answers (<see cref="SessionToolCall.Id"/>); else null.</param>
/// <param name="Status"><c>complete</c>, <c>aborted</c> (the client went away) or <c>failed</c> (<see cref="SessionMessageStatus"/>).</param>
/// <param name="ErrorCode">For a <c>failed</c> or <c>aborted</c> answer, the catalog code (<c>STREAM_ABORTED</c> when aborted); else null.</param>
/// <param name="Usage">For the assistant message that ends an answer, the tokens the answer took; else null.</param>
/// <param name="Credits">For the assistant message that ends an answer, the credits it cost (at most six decimals); else null.</param>
/// <param name="CreatedAt">When it was stored (RFC 3339 UTC).</param>
public sealed record SessionMessageView(
    string Id, string Role, string Content, IReadOnlyList<SessionToolCall>? ToolCalls, string? ToolCallId, string Status, string? ErrorCode,
    TokenUsage? Usage, decimal? Credits, DateTimeOffset CreatedAt);

/// <summary>The answer of <c>GET /v1/sessions/{id}/messages</c>.</summary>
/// <param name="Data">Every message of the session, oldest first: the user's, the model's, and the tools' results.</param>
public sealed record SessionMessageList(IReadOnlyList<SessionMessageView> Data);

/// <summary>The answer to a message sent without streaming.</summary>
/// <remarks>The answer of <c>POST /v1/sessions/{id}/messages</c> (200) when not streaming: <c>{message}</c>.</remarks>
/// <param name="Message">The assistant's final message of the answer (tool calls and results in between are in the session's messages).</param>
public sealed record SessionAnswer(SessionMessageView Message);

/// <summary>The message statuses.</summary>
public static class SessionMessageStatus
{
    /// <summary>Stored whole.</summary>
    public const string Complete = "complete";
    /// <summary>The client went away while the answer streamed (<c>error_code: STREAM_ABORTED</c>); no partial text is kept.</summary>
    public const string Aborted = "aborted";
    /// <summary>The answer ended in a catalog error (<c>error_code</c>).</summary>
    public const string Failed = "failed";
}
