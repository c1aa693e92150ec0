using System.Text;
using Parley.Client;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sdk;

public sealed class GroupsSdkTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task GroupsAndAttachmentsThroughTheSdk()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        using var alice = new ParleyClient(server.BaseAddress, a.ApiKey);
        using var bob = new ParleyClient(server.BaseAddress, b.ApiKey);

        var created = await alice.CreateGroupAsync("sdk group", [b.Handle]);
        Assert.Equal("invited", Assert.Single(created.AddResults).Outcome);
        var invite = Assert.Single((await bob.ListGroupInvitesAsync()).Data);
        var group = await bob.AcceptGroupInviteAsync(invite.Id);
        Assert.Equal(2, group.MemberCount);
        await alice.SendTextToConversationAsync(group.Id, "hello group");
        Assert.Contains((await bob.SyncAsync()).Messages, d => d.Message.Content.TryGetProperty("text", out var t) && t.GetString() == "hello group");

        var bytes = Encoding.UTF8.GetBytes("report.pdf contents");
        var attachment = await alice.UploadAttachmentAsync(bytes, "report.pdf", "application/pdf", toHandle: b.Handle);
        await alice.SendFileAsync(b.Handle, attachment);
        Assert.Equal(bytes, await bob.DownloadAttachmentAsync(attachment));
    }
}
