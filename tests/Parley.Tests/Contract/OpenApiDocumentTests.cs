using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Parley.Contracts.Errors;
using Parley.Tests.Contract.Fuzz;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Contract;

/// <summary>
/// The OpenAPI document as generated clients read it: valid OpenAPI; optional request fields not required; every
/// authenticated operation with its security and its 401/403 codes; success statuses with their bodies; nullable
/// fields that admit null. (The fuzz test then holds every answer to it.)
/// </summary>
public sealed partial class OpenApiDocumentTests(TestServer server) : IClassFixture<TestServer>
{
    private async Task<JsonElement> DocumentAsync() => await (await server.Http.GetAsync("/openapi/v1.json")).OkAsync();

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (p.Name, m.Name.ToUpperInvariant(), m.Value)));

    private static List<string> Codes(JsonElement operation, string status) =>
        operation.GetProperty("responses").TryGetProperty(status, out var response) && response.TryGetProperty("x-error-codes", out var codes)
            ? [.. codes.EnumerateArray().Select(c => c.GetString()!)]
            : [];

    [Fact]
    public async Task TheDocumentIsValidOpenApiWithUniqueOperationIdsAndEveryPathParameterDeclared()
    {
        var text = await server.Http.GetStringAsync("/openapi/v1.json");
        var read = OpenApiDocument.Parse(text, "json");
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.Empty(read.Document!.Validate(Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet()) ?? []);

        var document = await DocumentAsync();
        var ids = Operations(document).Select(o => o.Operation.GetProperty("operationId").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var (path, method, operation) in Operations(document))
        {
            var declared = operation.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()).ToList()
                : [];
            foreach (Match name in PathParameter().Matches(path))
            {
                Assert.True(declared.Contains(name.Groups[1].Value), $"{method} {path} does not declare {{{name.Groups[1].Value}}}");
            }
        }
        Assert.DoesNotContain("\"oneOf\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OptionalRequestFieldsAreNotRequiredAndConstraintsComeFromTheValidators()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        var send = schemas.GetProperty("SendMessageRequest");
        Assert.Equal(["client_msg_id", "content"], send.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order());
        Assert.Equal(128, send.GetProperty("properties").GetProperty("client_msg_id").GetProperty("maxLength").GetInt32());
        Assert.Equal(["file", "structured", "text"], send.GetProperty("properties").GetProperty("type").GetProperty("enum").EnumerateArray()
            .Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()).Order());
        Assert.Equal(Parley.Contracts.Patterns.Handle, schemas.GetProperty("CreateAgentRequest").GetProperty("properties").GetProperty("handle").GetProperty("pattern").GetString());
        Assert.Equal("date-time", schemas.GetProperty("CreateMuteRequest").GetProperty("properties").GetProperty("muted_until").GetProperty("format").GetString());

        foreach (var schema in schemas.EnumerateObject().Where(s => s.Name.EndsWith("Request", StringComparison.Ordinal)))
        {
            var required = schema.Value.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()!).ToHashSet() : [];
            foreach (var property in schema.Value.GetProperty("properties").EnumerateObject())
            {
                var type = property.Value.TryGetProperty("type", out var t) ? t.ToString() : "";
                // A required field never admits null; an optional one is not listed as required.
                Assert.False(required.Contains(property.Name) && type.Contains("null", StringComparison.Ordinal), $"{schema.Name}.{property.Name} is required but nullable");
            }
        }
    }

    [Fact]
    public async Task EveryAuthenticatedOperationDeclaresItsSecurityAndItsCredentialErrors()
    {
        var document = await DocumentAsync();
        var schemes = document.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().Select(s => s.Name).ToHashSet();
        Assert.Equal(["agent", "owner", "publishable"], schemes.Order());
        var authenticated = 0;
        foreach (var (path, method, operation) in Operations(document))
        {
            var name = $"{method} {path}";
            var security = operation.TryGetProperty("security", out var s) ? s.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(o => o.Name)).ToList() : [];
            Assert.All(security, scheme => Assert.Contains(scheme, schemes));
            if (security.Count == 0)
            {
                continue;
            }
            authenticated++;
            var unauthorized = Codes(operation, "401");
            foreach (var code in new[] { ErrorCodes.Unauthorized, ErrorCodes.InvalidToken, ErrorCodes.TokenExpired, ErrorCodes.TokenRevoked })
            {
                Assert.True(unauthorized.Contains(code), $"{name} does not list {code}");
            }
            if (security.Contains("agent"))
            {
                Assert.Contains(ErrorCodes.InvalidPassport, unauthorized);
                Assert.Contains(ErrorCodes.Revoked, unauthorized);
                Assert.True(Codes(operation, "403").Contains(ErrorCodes.ForbiddenScope), $"{name} does not list FORBIDDEN_SCOPE");
                Assert.True(operation.TryGetProperty("x-required-scope", out _), $"{name} does not say its scope");
            }
            Assert.True(Codes(operation, "403").Contains(ErrorCodes.Forbidden), $"{name} does not list FORBIDDEN");
        }
        Assert.True(authenticated > 100, $"only {authenticated} authenticated operations");
        var everywhere = Operations(document).SelectMany(o => o.Operation.GetProperty("responses").EnumerateObject()
            .SelectMany(r => r.Value.TryGetProperty("x-error-codes", out var c) ? c.EnumerateArray().Select(x => x.GetString()) : [])).ToHashSet();
        Assert.Contains(ErrorCodes.TermsNotAccepted, everywhere);
        var publicOperations = Operations(document).Where(o => !o.Operation.TryGetProperty("security", out var s) || s.GetArrayLength() == 0)
            .Select(o => o.Operation.GetProperty("operationId").GetString()).ToList();
        Assert.Contains("Signup", publicOperations);
        Assert.Contains("UploadFileBytes", publicOperations);
    }

    [Fact]
    public async Task SuccessStatusesCarryTheBodiesTheEndpointsAnswer()
    {
        var document = await DocumentAsync();
        var byId = Operations(document).ToDictionary(o => o.Operation.GetProperty("operationId").GetString()!, o => o.Operation);
        foreach (var id in new[] { "SendMessage", "AddContact" })
        {
            var responses = byId[id].GetProperty("responses");
            foreach (var status in new[] { "200", "201" })
            {
                Assert.True(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/json", out _), $"{id} {status} has no body");
            }
        }
        // A repeated client_msg_id answers the original before any check (messaging.md): the document says so.
        Assert.Equal("client_msg_id", byId["SendMessage"].GetProperty("x-replay-key").GetString());
        Assert.Equal("binary", document.GetProperty("components").GetProperty("schemas").GetProperty("Stream").GetProperty("format").GetString());
        Assert.True(byId["UploadFileBytes"].GetProperty("requestBody").GetProperty("content").TryGetProperty("application/octet-stream", out _));
        foreach (var (path, method, operation) in Operations(document))
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('2') && r.Name != "204"))
            {
                Assert.True(response.Value.TryGetProperty("content", out var content) && content.EnumerateObject().Any(),
                    $"{method} {path} answers {response.Name} with no documented body");
            }
            if (operation.GetProperty("responses").TryGetProperty("204", out var none))
            {
                Assert.False(none.TryGetProperty("content", out _), $"{method} {path}: 204 with a body");
            }
        }
    }

    [Fact]
    public async Task AMessageWithNullMetadataValidatesAgainstTheDocument()
    {
        var (a, b) = await server.PairAsync();
        var sent = await (await server.Http.PostAsync("/v1/messages",
            new { to = b.Handle, client_msg_id = Guid.NewGuid().ToString("N"), type = "text", content = new { text = "hi" }, metadata = (object?)null }, a.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, sent.GetProperty("metadata").ValueKind);
        var document = new ApiDocument(await DocumentAsync());
        var schema = document.Operations.Single(o => o.Id == "SendMessage").Responses["201"].Content["application/json"];
        Assert.Empty(document.Validate(schema, sent));
    }

    [Fact]
    public async Task TheDescriptionLinksTheChannelGuide()
    {
        var description = (await DocumentAsync()).GetProperty("info").GetProperty("description").GetString()!;
        Assert.Contains("docs/channel.md", description, StringComparison.Ordinal);
        var guide = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "channel.md"));
        foreach (var type in typeof(Parley.Contracts.Channel.FrameTypes).GetFields().Select(f => (string)f.GetRawConstantValue()!))
        {
            Assert.Contains($"`{type}`", guide, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex PathParameter();
}
