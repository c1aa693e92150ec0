namespace Parley.Server.Messaging;

/// <summary><c>Limits:*</c> of messaging; every one is configuration so tests can raise or lower it.</summary>
internal sealed class MessagingOptions
{
    public MessagingLimits Limits { get; set; } = new();
    public WebhookOptions Webhooks { get; set; } = new();
}

internal sealed class WebhookOptions
{
    /// <summary>Send as soon as events are queued and retry in the background (default). Off, only the
    /// <c>webhook-dispatch</c> job sends: tests that step the clock use that to decide exactly when attempts happen.</summary>
    public bool BackgroundDispatch { get; set; } = true;
}

internal sealed class MessagingLimits
{
    public int MaxMessageBytes { get; set; } = 32_768;
    public int ColdConversationsPerDay { get; set; } = 100;
    public int BacklogCap { get; set; } = 10_000;
    public int BacklogWarning { get; set; } = 5_000;
    public int GroupAddsPerDay { get; set; } = 50;
    public int GroupMaxMembers { get; set; } = 256;
    public int MaxAttachmentBytes { get; set; } = 25 * 1024 * 1024;
    public Contacts.EnforcementLimits Enforcement { get; set; } = new();
    public int SyncDefaultLimit { get; set; } = 100;
    public int SyncMaxLimit { get; set; } = 500;
    public int AckedDeliveryRetentionDays { get; set; } = 30;
}
