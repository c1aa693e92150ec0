using Microsoft.AspNetCore.Mvc;
using Parley.Contracts.Wake;

namespace Parley.Server.Dashboard.Pages;

/// <summary>The workspace's devices, online or not, and their revocation; pairing starts from a device's code.</summary>
public sealed class DevicesModel : DashboardPage
{
    public IReadOnlyList<DeviceView> Devices { get; private set; } = [];

    public async Task OnGetAsync() => Devices = (await Api.ListDevicesAsync(WorkspaceId, HttpContext.RequestAborted)).Data;

    public Task<IActionResult> OnPostRevokeAsync(string device) => ActAsync(async () =>
    {
        await Api.RevokeDeviceAsync(WorkspaceId, device, HttpContext.RequestAborted);
        return "The device was revoked.";
    });
}
