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

    private async Task<IReadOnlyList<ApiOperation>> OperationsAsync() => new ApiDocument(await DocumentAsync()).Operations;

    [Fact]
    public async Task TheDocumentIsValidOpenApiWithUniqueOperationIdsAndEveryPathParameterDeclared()
    {
        var text = await server.Http.GetStringAsync("/openapi/v1.json");
        var read = OpenApiDocument.Parse(text, "json");
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.Empty(read.Document!.Validate(Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet()) ?? []);

        var operations = await OperationsAsync();
        Assert.Equal(operations.Count, operations.Select(o => o.Id).Distinct().Count());
        foreach (var operation in operations)
        {
            var declared = operation.Parameters.Where(p => p.In == "path").Select(p => p.Name).ToList();
            foreach (Match name in PathParameter().Matches(operation.Path))
            {
                Assert.True(declared.Contains(name.Groups[1].Value), $"{operation.Method} {operation.Path} does not declare {{{name.Groups[1].Value}}}");
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
        Assert.Equal(["agent", "device", "owner", "publishable"], schemes.Order());
        var operations = new ApiDocument(document).Operations;
        var authenticated = 0;
        foreach (var operation in operations)
        {
            var name = $"{operation.Method} {operation.Path}";
            Assert.All(operation.Security, scheme => Assert.Contains(scheme, schemes));
            if (operation.Security.Count == 0)
            {
                continue;
            }
            authenticated++;
            var unauthorized = operation.CodesFor("401");
            foreach (var code in new[] { ErrorCodes.Unauthorized, ErrorCodes.InvalidToken, ErrorCodes.TokenExpired, ErrorCodes.TokenRevoked })
            {
                Assert.True(unauthorized.Contains(code), $"{name} does not list {code}");
            }
            if (operation.Security.Contains("agent"))
            {
                Assert.Contains(ErrorCodes.InvalidPassport, unauthorized);
                Assert.Contains(ErrorCodes.Revoked, unauthorized);
                Assert.True(operation.CodesFor("403").Contains(ErrorCodes.ForbiddenScope), $"{name} does not list FORBIDDEN_SCOPE");
                Assert.True(operation.Source.TryGetProperty("x-required-scope", out _), $"{name} does not say its scope");
            }
            if (operation.Security.Contains("device"))
            {
                Assert.Contains(ErrorCodes.Revoked, unauthorized);
                Assert.False(operation.Source.TryGetProperty("x-required-scope", out _), $"{name}: a device has no scopes");
            }
            Assert.True(operation.CodesFor("403").Contains(ErrorCodes.Forbidden), $"{name} does not list FORBIDDEN");
        }
        Assert.True(authenticated > 100, $"only {authenticated} authenticated operations");
        var everywhere = operations.SelectMany(o => o.Responses.Values.SelectMany(r => r.ErrorCodes)).ToHashSet();
        Assert.Contains(ErrorCodes.TermsNotAccepted, everywhere);
        var publicOperations = operations.Where(o => o.Security.Count == 0).Select(o => o.Id).ToList();
        Assert.Contains("Signup", publicOperations);
        Assert.Contains("UploadFileBytes", publicOperations);
        Assert.Contains("StartPairing", publicOperations);
        Assert.Equal(["device"], operations.Single(o => o.Id == "SetBindings").Security);
    }

    [Fact]
    public async Task SuccessStatusesCarryTheBodiesTheEndpointsAnswer()
    {
        var document = await DocumentAsync();
        var operations = new ApiDocument(document).Operations;
        var byId = operations.ToDictionary(o => o.Id);
        foreach (var id in new[] { "SendMessage", "AddContact" })
        {
            foreach (var status in new[] { "200", "201" })
            {
                Assert.True(byId[id].Responses[status].Content.ContainsKey("application/json"), $"{id} {status} has no body");
            }
        }
        // A repeated client_msg_id answers the original before any check (messaging.md): the document says so.
        Assert.Equal("client_msg_id", byId["SendMessage"].ReplayKey);
        Assert.Equal("binary", document.GetProperty("components").GetProperty("schemas").GetProperty("Stream").GetProperty("format").GetString());
        Assert.True(byId["UploadFileBytes"].BinaryBody);
        foreach (var operation in operations)
        {
            foreach (var response in operation.Responses.Values.Where(r => r.Status.StartsWith('2') && r.Status != "204"))
            {
                Assert.True(response.Content.Count > 0, $"{operation.Method} {operation.Path} answers {response.Status} with no documented body");
            }
            if (operation.Responses.TryGetValue("204", out var none))
            {
                Assert.True(none.Content.Count == 0, $"{operation.Method} {operation.Path}: 204 with a body");
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
