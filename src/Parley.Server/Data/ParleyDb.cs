using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Channel;
using Parley.Server.Files;
using Parley.Server.Governance.Credits;
using Parley.Server.Governance.Usage;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Claims;
using Parley.Server.Identity.Devices;
using Parley.Server.Identity.Owners;
using Parley.Server.Identity.Registration;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Messaging.Attachments;
using Parley.Server.Messaging.Contacts;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Deliveries;
using Parley.Server.Messaging.Groups;
using Parley.Server.Messaging.Webhooks;
using Parley.Server.Platform.Idempotency;
using Parley.Server.Platform.Jobs;
using Parley.Server.Rooms.Board;
using Parley.Server.Rooms.Files;
using Parley.Server.Rooms.Membership;
using Parley.Server.Rooms.Thread;
using Parley.Server.Wake.Runs;
using Parley.Server.Wake.Schedules;
using Parley.Server.Wake.Triggers;

namespace Parley.Server.Data;

/// <summary>
/// The one data model. Each feature keeps its entities and their <see cref="IEntityTypeConfiguration{T}"/> in its
/// own folder; this class only lists the sets and applies the configurations. Table and column names are snake_case
/// so the few hand-written SQL statements read the same on SQLite and PostgreSQL.
/// </summary>
internal sealed class ParleyDb(DbContextOptions<ParleyDb> options) : DbContext(options), Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.IDataProtectionKeyContext
{
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<StoredFile> Files => Set<StoredFile>();
    public DbSet<JobLease> JobLeases => Set<JobLease>();

    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<PersonalAccessToken> PersonalAccessTokens => Set<PersonalAccessToken>();
    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<WorkspaceMember> WorkspaceMembers => Set<WorkspaceMember>();
    public DbSet<WorkspaceInvite> WorkspaceInvites => Set<WorkspaceInvite>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AgentNotice> AgentNotices => Set<AgentNotice>();
    public DbSet<PendingCode> PendingCodes => Set<PendingCode>();
    public DbSet<ClaimFailure> ClaimFailures => Set<ClaimFailure>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<DeviceBinding> DeviceBindings => Set<DeviceBinding>();
    public DbSet<DevicePairing> DevicePairings => Set<DevicePairing>();
    public DbSet<DeviceSession> DeviceSessions => Set<DeviceSession>();

    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<Participant> Participants => Set<Participant>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<Inbox> Inboxes => Set<Inbox>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Block> Blocks => Set<Block>();
    public DbSet<HiddenMessage> HiddenMessages => Set<HiddenMessage>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupInvite> GroupInvites => Set<GroupInvite>();
    public DbSet<MessageAttachment> MessageAttachments => Set<MessageAttachment>();
    public DbSet<Mute> Mutes => Set<Mute>();
    public DbSet<Report> Reports => Set<Report>();
    public DbSet<Presence> Presence => Set<Presence>();
    public DbSet<SocketSession> SocketSessions => Set<SocketSession>();
    public DbSet<EnforcementState> EnforcementStates => Set<EnforcementState>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<Room> Rooms => Set<Room>();
    public DbSet<RoomMember> RoomMembers => Set<RoomMember>();
    public DbSet<RoomGrant> RoomGrants => Set<RoomGrant>();
    public DbSet<RoomConsent> RoomConsents => Set<RoomConsent>();
    public DbSet<RoomInvite> RoomInvites => Set<RoomInvite>();
    public DbSet<RoomMessage> RoomMessages => Set<RoomMessage>();
    public DbSet<Mention> Mentions => Set<Mention>();
    public DbSet<RoomTask> Tasks => Set<RoomTask>();
    public DbSet<TaskEvent> TaskEvents => Set<TaskEvent>();
    public DbSet<RoomFile> RoomFiles => Set<RoomFile>();

    public DbSet<UsageDay> UsageDays => Set<UsageDay>();
    public DbSet<UsageThreshold> UsageThresholds => Set<UsageThreshold>();
    public DbSet<CreditLot> CreditLots => Set<CreditLot>();
    public DbSet<CreditLedgerEntry> CreditLedger => Set<CreditLedgerEntry>();
    public DbSet<CreditSpend> CreditSpends => Set<CreditSpend>();
    public DbSet<CreditReservation> CreditReservations => Set<CreditReservation>();

    public DbSet<Run> Runs => Set<Run>();
    public DbSet<Schedule> Schedules => Set<Schedule>();
    public DbSet<Trigger> Triggers => Set<Trigger>();
    public DbSet<TriggerCall> TriggerCalls => Set<TriggerCall>();

    public DbSet<Platform.OwnerEvents.OwnerEvent> OwnerEvents => Set<Platform.OwnerEvents.OwnerEvent>();

    public DbSet<Gateway.VaultEntry> VaultEntries => Set<Gateway.VaultEntry>();
    public DbSet<Gateway.GatewayRule> GatewayRules => Set<Gateway.GatewayRule>();
    public DbSet<Gateway.GatewaySettings> GatewaySettings => Set<Gateway.GatewaySettings>();
    public DbSet<Gateway.GatewayWindow> GatewayWindows => Set<Gateway.GatewayWindow>();
    public DbSet<Gateway.GatewayLogEntry> GatewayLog => Set<Gateway.GatewayLogEntry>();
    public DbSet<Gateway.Approval> Approvals => Set<Gateway.Approval>();
    public DbSet<Gateway.Proxy.GatewayCaRow> GatewayCa => Set<Gateway.Proxy.GatewayCaRow>();
    public DbSet<Gateway.Sites.Site> Sites => Set<Gateway.Sites.Site>();

    public DbSet<Sessions.ModelProvider> ModelProviders => Set<Sessions.ModelProvider>();
    public DbSet<Sessions.ChatSession> ChatSessions => Set<Sessions.ChatSession>();
    public DbSet<Sessions.ChatMessage> ChatMessages => Set<Sessions.ChatMessage>();

    /// <summary>The key ring of ASP.NET Core data protection (Platform/Security/DataProtectionKeys), sealed with the master key.</summary>
    public DbSet<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> DataProtectionKeys =>
        Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ParleyDb).Assembly);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    public static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
