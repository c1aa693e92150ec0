using Parley.Server.Platform.Jobs;
using Parley.Server.Governance;
using Parley.Server.Identity.Admin;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Claims;
using Parley.Server.Identity.Devices;
using Parley.Server.Identity.Owners;
using Parley.Server.Identity.Registration;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Identity;

/// <summary>Owners, workspaces, agents, keys, passports, self-registration, claims and account states.</summary>
internal static class IdentityModule
{
    public const string PublishableCors = "publishable";

    public static WebApplicationBuilder AddIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<IdentityOptions>(builder.Configuration);
        services.AddCors(o => o.AddPolicy(PublishableCors, p => p.AllowAnyOrigin().AllowAnyHeader().WithMethods("GET")));
        services.AddSingleton<AccessDocumentation>();
        services.AddSingleton<IOperationErrorCodes>(sp => sp.GetRequiredService<AccessDocumentation>());
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", o =>
        {
            o.AddOperationTransformer<AccessDocumentation>();
            o.AddDocumentTransformer<AccessDocumentation>();
        });

        services.AddSingleton<SigningKeys>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<InstanceAdmins>();
        services.AddSingleton<IStartupTask, SigningKeysStartup>();

        // One scheme per credential kind; the authenticator picks by the credential's form.
        services.AddScoped<CredentialLookup>();
        services.AddScoped<ICredentialScheme>(sp => new AgentKeyScheme(sp.GetRequiredService<CredentialLookup>(), CredentialFormat.SecretKey, KeyKinds.Secret, CredentialKind.SecretKey));
        services.AddScoped<ICredentialScheme>(sp => new AgentKeyScheme(sp.GetRequiredService<CredentialLookup>(), CredentialFormat.PublishableKey, KeyKinds.Publishable, CredentialKind.PublishableKey));
        services.AddScoped<ICredentialScheme, PersonalTokenScheme>();
        services.AddScoped<ICredentialScheme, PassportScheme>();
        services.AddScoped<ICredentialScheme, OwnerSessionScheme>();
        services.AddScoped<ICredentialScheme, DeviceTokenScheme>();
        services.AddScoped<Authenticator>();

        // What governance asks of workspaces and agents.
        services.AddScoped<IWorkspaceDirectory, WorkspaceDirectory>();
        services.AddScoped<IWorkspaceCount, AgentCount>();
        services.AddScoped<IWorkspaceCount, DeviceCount>();

        services.AddScoped<DeviceService>();
        services.AddBackgroundJob<Devices.PairingCleanupJob>();
        services.AddScoped<DeviceSignals>();

        services.AddScoped<OneTimeCodes>();
        services.AddScoped<AgentSignals>();
        services.AddScoped<OwnerAuthService>();
        services.AddScoped<BrowserSessions>();
        services.AddScoped<MeService>();
        services.AddScoped<WorkspaceService>();
        services.AddScoped<WorkspaceResolver>();
        services.AddScoped<AgentService>();
        services.AddScoped<AgentSelfService>();
        services.AddScoped<RegistrationService>();
        services.AddScoped<ClaimService>();
        services.AddScoped<AdminService>();
        return builder;
    }

    /// <summary>CORS for publishable routes, then authentication, then every access rule.</summary>
    public static WebApplication UseIdentity(this WebApplication app)
    {
        app.UseCors();
        app.UseMiddleware<AuthenticationMiddleware>();
        app.UseMiddleware<AccessMiddleware>();
        return app;
    }

    public static WebApplication MapIdentity(this WebApplication app)
    {
        app.MapOwnerAuth();
        app.MapMe();
        app.MapWorkspaces();
        app.MapWorkspaceAgents();
        app.MapAgentSelf();
        app.MapAdmin();
        app.MapDevices();
        return app;
    }

    private sealed class SigningKeysStartup(SigningKeys keys, InstanceAdmins admins, ILogger<SigningKeysStartup> logger) : IStartupTask
    {
        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await keys.EnsureAsync(cancellationToken);
            if (admins.ConfiguredEmails is null)
            {
                logger.LogInformation("Admin:Emails is unset: the first account to sign up is the instance admin.");
            }
        }
    }
}
