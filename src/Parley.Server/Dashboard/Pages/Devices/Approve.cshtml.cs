using Microsoft.AspNetCore.Mvc;
using Parley.Client;
using Parley.Contracts.Wake;

namespace Parley.Server.Dashboard.Pages;

/// <summary>
/// The page a pairing's <c>verification_url</c> opens (<c>/devices/approve?code=…</c>): the owner confirms the code the
/// device shows, or denies it.
/// </summary>
public sealed class ApproveDeviceModel : DashboardPage
{
    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    public DeviceView? Approved { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostApproveAsync()
    {
        try
        {
            Approved = (await Api.ApproveDeviceAsync(WorkspaceId, Code ?? "", HttpContext.RequestAborted)).Device;
        }
        catch (ParleyApiException e)
        {
            Error = Describe(e);
        }
        return Page();
    }

    public Task<IActionResult> OnPostDenyAsync() => ActAsync(async () =>
    {
        await Api.DenyDeviceAsync(WorkspaceId, Code ?? "", HttpContext.RequestAborted);
        return "The pairing was denied.";
    }, "/Devices");
}
