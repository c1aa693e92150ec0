using System.Text.Json;
using Json.Schema;

namespace Parley.Tests.Contract.Fuzz;

/// <summary>A parameter of an operation as the document declares it.</summary>
public sealed record ApiParameter(string Name, string In, bool Required, JsonElement Schema);

/// <summary>One documented response: its media types (with schemas) and, for errors, the catalog codes it lists.</summary>
public sealed record ApiResponse(string Status, IReadOnlyDictionary<string, JsonElement> Content, IReadOnlyList<string> ErrorCodes);

/// <summary>One operation of the document, with what a request and its answers may be (<see cref="Source"/>: as written).</summary>
public sealed record ApiOperation(
    string Id, string Method, string Path, IReadOnlyList<ApiParameter> Parameters, JsonElement? JsonBody, bool BodyRequired,
    bool BinaryBody, IReadOnlyList<string> Security, IReadOnlyDictionary<string, ApiResponse> Responses, string? ReplayKey, JsonElement Source)
{
    /// <summary>The catalog codes the operation lists for a status (none when it lists none).</summary>
    public IReadOnlyList<string> CodesFor(string status) => Responses.TryGetValue(status, out var response) ? response.ErrorCodes : [];

    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    public bool TakesIdempotencyKey => Parameters.Any(p => p is { In: "header", Name: "Idempotency-Key" });
}

/// <summary>
/// The server's own OpenAPI document, read once: its operations, and JSON Schema validation of answers against it
/// (JsonSchema.Net resolves the document's <c>#/components/schemas/…</c> references in place).
/// </summary>
public sealed class ApiDocument
{
    private static readonly Uri BaseUri = new("https://parley.test/openapi/v1.json");
    private readonly BuildOptions _build;
    private readonly Dictionary<string, JsonSchema> _compiled = new(StringComparer.Ordinal);

    public ApiDocument(JsonElement root)
    {
        Root = root;
        var registry = new SchemaRegistry();
        registry.Register(BaseUri, new JsonElementBaseDocument(root, BaseUri));
        _build = new BuildOptions { SchemaRegistry = registry };
        var operations = new List<ApiOperation>();
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject())
            {
                var operation = Read(path.Name, method.Name.ToUpperInvariant(), method.Value);
                // A subscription (its success only ever an event stream, such as the owner event stream) never ends: it is
                // not fuzzed here; its tests open it and read its events.
                if (operation.Responses.Where(r => r.Key.StartsWith('2')).All(r => r.Value.Content.Keys.SequenceEqual(["text/event-stream"])))
                {
                    continue;
                }
                operations.Add(operation);
            }
        }
        Operations = operations;
        LiteralSegments = new HashSet<string>(
            operations.SelectMany(o => o.Path.Split('/')).Where(s => s.Length > 0 && !s.StartsWith('{')), StringComparer.OrdinalIgnoreCase);
    }

    public JsonElement Root { get; }

    public IReadOnlyList<ApiOperation> Operations { get; }

    /// <summary>Every fixed path segment (<c>me</c>, <c>sync</c>…): a generated path value must not be one, or it names another route.</summary>
    public IReadOnlySet<string> LiteralSegments { get; }

    /// <summary>A schema with its <c>$ref</c> followed (to a component of this document).</summary>
    public JsonElement Resolve(JsonElement schema)
    {
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!["#/components/schemas/".Length..];
            schema = Root.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }
        return schema;
    }

    /// <summary>Validates an instance against a schema of this document; the messages of what failed, or none.</summary>
    public IReadOnlyList<string> Validate(JsonElement schema, JsonElement instance)
    {
        var text = schema.GetRawText();
        if (!_compiled.TryGetValue(text, out var compiled))
        {
            // An inline schema (a response's) refers into the document: make its references absolute, give it its own URI.
            var absolute = text.Replace("\"#/components/", $"\"{BaseUri}#/components/", StringComparison.Ordinal);
            compiled = JsonSchema.Build(JsonDocument.Parse(absolute).RootElement.Clone(), _build, new Uri($"https://parley.test/answer/{_compiled.Count}"));
            _compiled[text] = compiled;
        }
        var results = compiled.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }
        return [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")).Take(5)];
    }

    private static ApiOperation Read(string path, string method, JsonElement operation)
    {
        var parameters = operation.TryGetProperty("parameters", out var list)
            ? list.EnumerateArray().Select(p => new ApiParameter(p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
                p.TryGetProperty("required", out var r) && r.GetBoolean(), p.TryGetProperty("schema", out var s) ? s : default)).ToList()
            : [];
        JsonElement? jsonBody = null;
        var bodyRequired = false;
        var binaryBody = false;
        if (operation.TryGetProperty("requestBody", out var body))
        {
            bodyRequired = body.TryGetProperty("required", out var required) && required.GetBoolean();
            var content = body.GetProperty("content");
            if (content.TryGetProperty("application/json", out var json))
            {
                jsonBody = json.GetProperty("schema");
            }
            binaryBody = content.TryGetProperty("application/octet-stream", out _);
        }
        var security = operation.TryGetProperty("security", out var requirements)
            ? requirements.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(o => o.Name)).ToList()
            : [];
        var responses = new Dictionary<string, ApiResponse>(StringComparer.Ordinal);
        foreach (var response in operation.GetProperty("responses").EnumerateObject())
        {
            var media = response.Value.TryGetProperty("content", out var c)
                ? c.EnumerateObject().ToDictionary(m => m.Name, m => m.Value.TryGetProperty("schema", out var s) ? s : default, StringComparer.OrdinalIgnoreCase)
                : new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            var codes = response.Value.TryGetProperty("x-error-codes", out var x) ? x.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
            responses[response.Name] = new ApiResponse(response.Name, media, codes);
        }
        // x-replay-key: a request repeating this body field's value answers the original (200) before any check.
        var replayKey = operation.TryGetProperty("x-replay-key", out var replay) ? replay.GetString() : null;
        return new ApiOperation(operation.GetProperty("operationId").GetString()!, method, path, parameters, jsonBody, bodyRequired, binaryBody,
            security, responses, replayKey, operation);
    }
}
