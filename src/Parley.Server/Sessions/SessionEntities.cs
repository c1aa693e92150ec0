using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Sessions;

/// <summary>An OpenAI-compatible model provider of a workspace.</summary>
internal sealed class ModelProvider
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Name { get; set; }
    public required string BaseUrl { get; set; }

    /// <summary>JSON array of model names.</summary>
    public required string Models { get; set; }

    public required string DefaultModel { get; set; }
    public string? KeyEntryId { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A conversation with a model; one answer is made at a time (<see cref="AnsweringSince"/>).</summary>
internal sealed class ChatSession
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }

    /// <summary><c>agent:agt_…</c> or <c>account:acct_…</c>.</summary>
    public required string CreatedBy { get; set; }

    public required string ProviderId { get; set; }
    public required string Model { get; set; }
    public string? System { get; set; }

    /// <summary>JSON array of site ids whose tools the model may call.</summary>
    public required string Sites { get; set; }

    public int MaxToolRounds { get; set; }
    public long CreatedAt { get; set; }
    public long LastMessageAt { get; set; }

    /// <summary>When an answer started being made; null when none is.</summary>
    public long? AnsweringSince { get; set; }
}

internal sealed class ChatMessage
{
    public required string Id { get; set; }
    public required string SessionId { get; set; }
    public required string Role { get; set; }
    public required string Content { get; set; }

    /// <summary>JSON array of the assistant's tool calls: <c>[{id, site_id, tool, arguments, function}]</c>.</summary>
    public string? ToolCalls { get; set; }

    public string? ToolCallId { get; set; }
    public required string Status { get; set; }
    public string? ErrorCode { get; set; }
    public long? InputTokens { get; set; }
    public long? OutputTokens { get; set; }
    public long? CreditMicros { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class SessionConfiguration :
    IEntityTypeConfiguration<ModelProvider>, IEntityTypeConfiguration<ChatSession>, IEntityTypeConfiguration<ChatMessage>
{
    public void Configure(EntityTypeBuilder<ModelProvider> builder)
    {
        builder.ToTable("model_providers");
        builder.HasKey(p => p.Id);
        builder.HasIndex(p => p.WorkspaceId);
    }

    public void Configure(EntityTypeBuilder<ChatSession> builder)
    {
        builder.ToTable("chat_sessions");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.WorkspaceId);
    }

    public void Configure(EntityTypeBuilder<ChatMessage> builder)
    {
        builder.ToTable("chat_messages");
        builder.HasKey(m => m.Id);
        builder.HasIndex(m => new { m.SessionId, m.Id });
    }
}
