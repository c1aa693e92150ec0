using Microsoft.IdentityModel.JsonWebTokens;
using Parley.Contracts.Gateway;
using Parley.Server.Data;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;

namespace Parley.Server.Gateway;

/// <summary>
/// Presenting the calling agent to a site (gateway.md): the gateway adds <c>Parley-Agent-Identity</c> (a JWT for the
/// destination host) when a matching rule or the site asks for it; a site checks one with the JWKS or with
/// <c>POST /v1/identity/verify</c>.
/// </summary>
internal sealed class IdentityPresentation(TokenService tokens, ParleyDb db)
{
    public const string Header = "Parley-Agent-Identity";

    public string For(Agent agent, string host) => tokens.SignIdentity(agent.Id, agent.Plate, agent.OwnerWorkspaceId, host.ToLowerInvariant());

    /// <summary>Whether the token is a genuine identity for <paramref name="audience"/> of a live agent: who, or why not.</summary>
    public async Task<IdentityVerifyResult> VerifyAsync(string token, string audience, CancellationToken ct)
    {
        JsonWebToken parsed;
        try
        {
            parsed = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return new IdentityVerifyResult(false, null, null, "malformed");
        }
        if (parsed.Typ != TokenService.IdentityTokenType)
        {
            return new IdentityVerifyResult(false, null, null, "not_identity");
        }
        if (!parsed.Audiences.Contains(audience.ToLowerInvariant(), StringComparer.Ordinal))
        {
            return new IdentityVerifyResult(false, null, null, "audience");
        }
        try
        {
            await tokens.ValidateAsync(token, audience.ToLowerInvariant(), ct);
        }
        catch (TokenRejectedException e)
        {
            return new IdentityVerifyResult(false, null, null, e.Failure.ToString().ToLowerInvariant());
        }
        var agent = parsed.TryGetPayloadValue<string>("aid", out var id) ? await AgentQueries.ByIdAsync(db, id, ct) : null;
        if (agent is null || agent.Status is AgentStatus.Deleted or AgentStatus.Suspended)
        {
            return new IdentityVerifyResult(false, null, null, "agent_inactive");
        }
        return new IdentityVerifyResult(true, agent.ToActor(), agent.OwnerWorkspaceId, null);
    }
}
