using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace Parley.Tests.Contract.Fuzz;

/// <summary>
/// A generated request. <see cref="MustFailBecause"/> says why the document itself makes it invalid (a body that breaks
/// its schema, no credential where one is needed…): such a request must not succeed.
/// </summary>
public sealed record FuzzRequest(ApiOperation Operation, string PathAndQuery, IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body, string? ContentType, string? MustFailBecause)
{
    public string Describe()
    {
        var body = Body is null ? "" : " body=" + Truncate(Encoding.UTF8.GetString(Body), 300);
        var headers = string.Join(" ", Headers.Select(h => $"{h.Key}: {Truncate(h.Value, 40)}"));
        return $"{Operation.Method} {Truncate(PathAndQuery, 300)} [{headers}] ct={ContentType}{body}";
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}

/// <summary>
/// Generates requests for the operations of the document with FsCheck: mostly what the document allows, filled with the
/// world's real ids and credentials, and on purpose also what it does not (wrong types, extreme numbers, NUL, bidi and
/// overlong strings, malformed JSON, wrong content types, bad idempotency keys, missing, garbage or wrong-kind
/// credentials, percent-encoded and dot path segments).
/// </summary>
public sealed class RequestGenerator(ApiDocument document, FuzzWorld world, IReadOnlyCollection<string>? only = null)
{
    /// <summary>Strings that have broken servers: controls, bidi overrides, odd Unicode, injection shapes, and very long ones.</summary>
    private static readonly string[] HostileStrings =
    [
        "", " ", "\0", "a\0b", "\u202Eevil", "\u200B", "\uFEFF", "\u0085", "\u001B[31m", "é", "😀", "\uD800", "Ω≈ç√",
        "'; DROP TABLE agents; --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "%2e%2e", "${jndi:x}", "null", "true", "0",
        "-1", "1e400", "NaN", new string('a', 257), new string('x', 5_000), new string('é', 40_000),
    ];

    private static readonly string[] PathHostiles =
    [
        "%00", "a%00b", "%E2%80%AE", "%2e%2e", "..%2F..%2Fetc%2Fpasswd", "%2F", "%252e", "%C0%AE", "%FF", "%", "%zz", "%20", "~", "%F0%9F%98%80",
        "x" + new string('a', 2_000), "'", "%22", "id%3Bdrop", "%0d%0aX-Injected:%201",
    ];

    private static readonly string[] MalformedJson =
    [
        "", "{", "{\"a\":", "[", "]", "nul", "tru", "\"unterminated", "{\"a\":1,}", "{'a':1}", "{\"a\" 1}", "\u0000", "{\"a\":\"\\uZZZZ\"}",
        "{\"a\":NaN}", "{\"a\":01}", "1e99999", new string('[', 5_000) + new string(']', 5_000), "{}{}",
    ];

    public Gen<FuzzRequest> Any() =>
        Gen.Elements(document.Operations.Where(o => only is null || only.Contains(o.Id)).ToArray()).SelectMany(For);

    /// <summary>Half the requests are plain (every part as the document allows, with this world's values) so that deep paths are reached; half hostile.</summary>
    public Gen<FuzzRequest> For(ApiOperation operation) =>
        Gen.Elements(true, false).SelectMany(plain =>
            from path in PathGen(operation, plain)
            from query in QueryGen(operation, plain)
            from credential in CredentialGen(operation, plain)
            from body in BodyGen(operation, plain)
            from idempotency in IdempotencyGen(operation, plain)
            from accept in plain ? Gen.Constant<string?>(null) : Gen.Frequency((4, Gen.Constant<string?>(null)), (1, Gen.Constant<string?>("application/problem+json")))
            select Assemble(operation, path, query, credential, body, idempotency, accept));

    private static FuzzRequest Assemble(ApiOperation operation, string path, (string Query, string? Reason) query,
        (string? Header, string? Reason) credential, (byte[]? Bytes, string? ContentType, string? Reason) body,
        (string? Key, string? Reason) idempotency, string? accept)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (credential.Header is { } authorization)
        {
            headers.Add(new("Authorization", authorization));
        }
        if (idempotency.Key is { } key)
        {
            headers.Add(new("Idempotency-Key", key));
        }
        if (accept is not null)
        {
            headers.Add(new("Accept", accept));
        }
        var reason = query.Reason ?? credential.Reason ?? body.Reason ?? idempotency.Reason;
        return new FuzzRequest(operation, path + query.Query, headers, body.Bytes, body.ContentType, reason);
    }

    // ---- the path -------------------------------------------------------------------------------------------

    private Gen<string> PathGen(ApiOperation operation, bool plain)
    {
        var names = operation.Parameters.Where(p => p.In == "path").Select(p => p.Name).ToList();
        return Gen.CollectToArray(names, name => PathValueGen(name, plain, catchAll: name == "path" && operation.Path.EndsWith("/{path}", StringComparison.Ordinal)))
            .Select(values =>
            {
                var path = operation.Path;
                for (var i = 0; i < names.Count; i++)
                {
                    path = path.Replace("{" + names[i] + "}", values[i], StringComparison.Ordinal);
                }
                return path;
            });
    }

    private Gen<string> PathValueGen(string name, bool plain, bool catchAll)
    {
        var real = world.ValuesFor(name);
        var realGen = real.Count > 0 ? Gen.Elements(real.ToArray()).Select(Escape) : Gen.Constant("nothing-here");
        var hostile = Gen.Elements(PathHostiles);
        // Dot segments after a first one, so that a server resolving them stays on the files route (and must refuse them).
        var dots = Gen.Elements("a/../b", "./x", "a/./b", "x/%2e%2e/y", "x/%2E", "a//b", "x/..%2Fy", "x/%2e%2e%2Fy");
        var unknown = Gen.Elements("x", "zzz-unknown", "agt_00000000000000000000000000", "room_00000000000000000000000000", "12345", "A");
        if (plain && real.Count > 0)
        {
            return realGen;
        }
        var options = new List<(int, Gen<string>)> { (12, realGen), (2, hostile), (2, unknown) };
        if (world.EarlierValuesFor(name) is { Count: > 0 } earlier)
        {
            options.Add((2, Gen.Elements(earlier.ToArray()).Select(Escape)));
        }
        if (catchAll)
        {
            options.Add((3, dots));
        }
        return Gen.Frequency(options.ToArray()).Where(v => v.Length > 0 && !NamesARoute(v, catchAll));
    }

    /// <summary>True when a generated segment would name another route (e.g. <c>me</c> for <c>{handle}</c>): the document says nothing of that request.</summary>
    private bool NamesARoute(string value, bool catchAll)
    {
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return false;
        }
        // A dot segment is resolved by the web server before routing: the request names another route.
        // A dot segment is resolved by the web server before routing: outside a catch-all it names another route.
        return decoded.Split('/').Any(s => document.LiteralSegments.Contains(s) || (!catchAll && s is "." or ".."));
    }

    private static string Escape(string value) => Uri.EscapeDataString(value).Replace("%2F", "/", StringComparison.Ordinal);

    // ---- the query ------------------------------------------------------------------------------------------

    private Gen<(string Query, string? Reason)> QueryGen(ApiOperation operation, bool plain)
    {
        var parameters = operation.Parameters.Where(p => p.In == "query").ToList();
        return Gen.CollectToArray(parameters, p =>
            {
                var options = new List<(int, Gen<(string?, string?)>)>
                {
                    (p.Required ? 0 : 4, Gen.Constant<(string?, string?)>((null, null))),
                    (6, ValueGen(p.Schema, p.Name).Select(v => ((string?)QueryText(v), (string?)null))),
                    (1, Gen.Elements(HostileStrings).Select(s => ((string?)s, (string?)null))),
                };
                if (plain)
                {
                    options.RemoveAt(2);
                }
                var invalid = InvalidQueryTexts(document.Resolve(p.Schema));
                if (invalid.Length > 0 && !plain)
                {
                    options.Add((2, Gen.Elements(invalid).Select(v => ((string?)v.Text, (string?)$"query {p.Name}: {v.Why}"))));
                }
                return Gen.Frequency(options.Where(o => o.Item1 > 0).ToArray());
            })
            .Select(values =>
            {
                var parts = new List<string>();
                string? reason = null;
                for (var i = 0; i < parameters.Count; i++)
                {
                    if (values[i].Item1 is { } text)
                    {
                        parts.Add(parameters[i].Name + "=" + Uri.EscapeDataString(text));
                        reason ??= values[i].Item2;
                    }
                    else if (parameters[i].Required)
                    {
                        reason ??= $"query {parameters[i].Name} is required";
                    }
                }
                return (parts.Count == 0 ? "" : "?" + string.Join("&", parts), reason);
            });
    }

    /// <summary>Texts a query parameter's schema refuses. Every text is a string, so only numbers, enums, lengths and patterns refuse any.</summary>
    private static (string Text, string Why)[] InvalidQueryTexts(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return [];
        }
        var types = Types(schema);
        var invalid = new List<(string, string)>();
        if (types.Contains("integer"))
        {
            invalid.AddRange([("abc", "not an integer"), ("3.5", "not an integer"), ("99999999999999999999999", "not an integer of its size")]);
            if (schema.TryGetProperty("minimum", out var minimum))
            {
                invalid.Add(((decimal.Parse(minimum.GetRawText(), CultureInfo.InvariantCulture) - 1).ToString(CultureInfo.InvariantCulture), "below minimum"));
            }
            if (schema.TryGetProperty("maximum", out var maximum))
            {
                invalid.Add(((decimal.Parse(maximum.GetRawText(), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture), "above maximum"));
            }
        }
        else if (types.Contains("string"))
        {
            if (schema.TryGetProperty("enum", out _))
            {
                invalid.Add(("not-one-of-them", "not in enum"));
            }
            if (schema.TryGetProperty("maxLength", out var max))
            {
                invalid.Add((new string('m', max.GetInt32() + 1), "over maxLength"));
            }
            if (schema.TryGetProperty("minLength", out var min) && min.GetInt32() > 1)
            {
                invalid.Add((new string('m', min.GetInt32() - 1), "under minLength"));
            }
        }
        return [.. invalid];
    }

    private static string QueryText(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };

    // ---- credentials -----------------------------------------------------------------------------------------

    private Gen<(string? Header, string? Reason)> CredentialGen(ApiOperation operation, bool plain)
    {
        var accepted = operation.Security;
        var right = accepted.SelectMany(s => world.Credentials.TryGetValue(s, out var list) ? list : []).ToArray();
        var wrongKinds = world.Credentials.Where(c => !accepted.Contains(c.Key)).SelectMany(c => c.Value).ToArray();
        var needed = accepted.Count > 0;
        if (plain)
        {
            return right.Length > 0 ? Gen.Elements(right).Select(c => ((string?)("Bearer " + c), (string?)null)) : Gen.Constant<(string?, string?)>((null, null));
        }
        var garbage = Gen.Elements(
            "Bearer ", "Bearer prl_sk_AAAAAAAAAAAA_" + new string('a', 43), "Bearer prl_pat_nonsense", "Bearer prl_pk_x", "Basic dXNlcjpwYXNz",
            "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "Bearer a.b.c", "bearer", "Token abc", "Bearer " + new string('z', 4_000));
        var options = new List<(int, Gen<(string?, string?)>)>
        {
            (2, Gen.Constant<(string?, string?)>((null, needed ? "no credential" : null))),
            (1, garbage.Select(g => ((string?)g, needed ? "a garbage credential" : null))),
        };
        if (world.DeadCredentials.Count > 0)
        {
            options.Add((1, Gen.Elements(world.DeadCredentials.ToArray()).Select(d => ((string?)("Bearer " + d), needed ? "a revoked credential" : null))));
        }
        if (right.Length > 0)
        {
            options.Add((16, Gen.Elements(right).Select(c => ((string?)("Bearer " + c), (string?)null))));
        }
        if (wrongKinds.Length > 0)
        {
            // A credential of another kind: refused where one is needed, ignored where none is.
            options.Add((2, Gen.Elements(wrongKinds).Select(c => ((string?)("Bearer " + c), needed ? "a credential of the wrong kind" : null))));
        }
        return Gen.Frequency(options.ToArray());
    }

    // ---- the idempotency key ---------------------------------------------------------------------------------

    private static Gen<(string? Key, string? Reason)> IdempotencyGen(ApiOperation operation, bool plain)
    {
        if (!operation.TakesIdempotencyKey)
        {
            return Gen.Constant<(string?, string?)>((null, null));
        }
        var fresh = Gen.Choose(0, int.MaxValue).Select(n => ((string?)("fuzz_" + n.ToString("x8", CultureInfo.InvariantCulture) + "_key"), (string?)null));
        var reused = Gen.Elements("fuzz-reused-key-1", "\"fuzz-reused-key-2\"").Select(k => ((string?)k, (string?)null));
        var bad = Gen.Elements("short", "has space in it", "bad!chars??", new string('k', 129), "\"unterminated-quote", "ünïcödé-key", "\"\"")
            .Select(k => ((string?)k, (string?)"a malformed Idempotency-Key"));
        return plain
            ? Gen.Frequency((3, Gen.Constant<(string?, string?)>((null, null))), (1, fresh))
            : Gen.Frequency((6, Gen.Constant<(string?, string?)>((null, null))), (2, fresh), (1, reused), (1, bad));
    }

    // ---- the body --------------------------------------------------------------------------------------------

    private Gen<(byte[]? Bytes, string? ContentType, string? Reason)> BodyGen(ApiOperation operation, bool plain)
    {
        if (operation.BinaryBody)
        {
            return Gen.Frequency(
                (2, Gen.Constant(((byte[]?)[], (string?)"application/octet-stream", (string?)null))),
                (3, Gen.Choose(1, 64).Select(n => ((byte[]?)Encoding.UTF8.GetBytes(new string('b', n)), (string?)"application/octet-stream", (string?)null))),
                (1, Gen.Constant<(byte[]?, string?, string?)>((null, null, null))));
        }
        if (operation.JsonBody is not { } schema)
        {
            // A body nobody asked for is ignored.
            return Gen.Frequency((8, Gen.Constant<(byte[]?, string?, string?)>((null, null, null))),
                (1, Gen.Constant<(byte[]?, string?, string?)>((Encoding.UTF8.GetBytes("{\"unexpected\":true}"), "application/json", null))));
        }
        var json = "application/json";
        var valid = ValueGen(schema, "body").Select(v => ((byte[]?)Bytes(v), (string?)json, (string?)null));
        var invalid = InvalidGen(schema, "body")?.Where(v => v.Value is not null || operation.BodyRequired)
            .Select(v => ((byte[]?)Bytes(v.Value), (string?)json, (string?)("body " + v.Why)));
        var malformed = Gen.Elements(MalformedJson).Select(t => ((byte[]?)Encoding.UTF8.GetBytes(t), (string?)json, (string?)"malformed JSON"));
        var badUtf8 = Gen.Constant(((byte[]?)[0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D], (string?)json, (string?)"a body that is not UTF-8"));
        var wrongType = valid.SelectMany(v => Gen.Elements("text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x")
            .Select(ct => (v.Item1, (string?)ct, (string?)"a body that is not JSON (Content-Type)")));
        var none = Gen.Constant<(byte[]?, string?, string?)>((null, null, operation.BodyRequired ? "no body" : null));
        if (plain)
        {
            return valid;
        }
        var options = new List<(int, Gen<(byte[]?, string?, string?)>)> { (14, valid), (2, malformed), (1, badUtf8), (1, wrongType), (1, none) };
        if (invalid is not null)
        {
            options.Add((5, invalid));
        }
        return Gen.Frequency(options.ToArray());
    }

    private static byte[] Bytes(JsonNode? value) => Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null");

    // ---- values from schemas ---------------------------------------------------------------------------------

    /// <summary>A value the schema admits (real ids and credentials where the name asks for one).</summary>
    public Gen<JsonNode?> ValueGen(JsonElement schema, string name, int depth = 0)
    {
        schema = document.Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return AnyJson(name, depth);
        }
        if (schema.TryGetProperty("anyOf", out var anyOf) || schema.TryGetProperty("oneOf", out anyOf))
        {
            return Gen.Elements(anyOf.EnumerateArray().ToArray()).SelectMany(s => ValueGen(s, name, depth));
        }
        if (schema.TryGetProperty("enum", out var values))
        {
            return Gen.Elements(values.EnumerateArray().Select(v => JsonNode.Parse(v.GetRawText())).ToArray());
        }
        var types = Types(schema);
        if (types.Count == 0)
        {
            return AnyJson(name, depth);
        }
        return Gen.Elements(types.ToArray()).SelectMany(type => type switch
        {
            "null" => Gen.Constant<JsonNode?>(null),
            "string" => StringGen(schema, name).Select(s => (JsonNode?)JsonValue.Create(s)),
            "integer" => IntegerGen(schema).Select(n => (JsonNode?)JsonValue.Create(n)),
            "number" => Gen.Elements(0.0, 1.5, -2.25, 1e10).Select(n => (JsonNode?)JsonValue.Create(n)),
            "boolean" => Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
            "array" => ArrayGen(schema, name, depth),
            "object" => ObjectGen(schema, depth),
            _ => AnyJson(name, depth),
        });
    }

    /// <summary>
    /// A value the schema refuses, with why: only violations the document states, so the server must refuse them too.
    /// Null when the schema admits anything (a message's content).
    /// </summary>
    public Gen<(JsonNode? Value, string Why)>? InvalidGen(JsonElement schema, string name)
    {
        schema = document.Resolve(schema);
        var types = schema.ValueKind == JsonValueKind.Object && !schema.TryGetProperty("anyOf", out _) ? Types(schema) : [];
        if (types.Count == 0)
        {
            return null;
        }
        var options = new List<Gen<(JsonNode?, string)>>();
        JsonNode?[] others = [JsonValue.Create("a string"), JsonValue.Create(3.5), JsonValue.Create(7), JsonValue.Create(true), new JsonArray(1, 2), new JsonObject { ["a"] = 1 }, null];
        var wrong = others.Where(v => !Admits(types, v)).ToArray();
        if (wrong.Length > 0)
        {
            options.Add(Gen.Elements(wrong).Select(v => (v?.DeepClone(), $"{name}: wrong type ({Kind(v)})")));
        }
        if (types.Contains("string") && schema.TryGetProperty("enum", out _))
        {
            options.Add(Gen.Constant<(JsonNode?, string)>((JsonValue.Create("not-one-of-them"), $"{name}: not in enum")));
        }
        else if (types.Contains("string"))
        {
            if (schema.TryGetProperty("maxLength", out var max))
            {
                options.Add(Gen.Constant<(JsonNode?, string)>((JsonValue.Create(new string('m', max.GetInt32() + 1)), $"{name}: over maxLength")));
            }
            if (schema.TryGetProperty("minLength", out var min) && min.GetInt32() > 0)
            {
                options.Add(Gen.Constant<(JsonNode?, string)>((JsonValue.Create(new string('m', min.GetInt32() - 1)), $"{name}: under minLength")));
            }
            if (schema.TryGetProperty("pattern", out var pattern))
            {
                var regex = Regexes.GetOrAdd(pattern.GetString()!, text => new Regex(text));
                var breaking = new[] { "!!", "UPPER CASE", "-x-", "a", new string('z', 70) }.Where(t => !regex.IsMatch(t)).ToArray();
                options.Add(Gen.Elements(breaking).Select(t => ((JsonNode?)JsonValue.Create(t), $"{name}: does not match its pattern")));
            }
        }
        if (types.Contains("integer") || types.Contains("number"))
        {
            if (schema.TryGetProperty("minimum", out var minimum))
            {
                options.Add(Gen.Constant<(JsonNode?, string)>((JsonValue.Create(decimal.Parse(minimum.GetRawText(), CultureInfo.InvariantCulture) - 1), $"{name}: below minimum")));
            }
            if (schema.TryGetProperty("maximum", out var maximum))
            {
                options.Add(Gen.Constant<(JsonNode?, string)>((JsonValue.Create(decimal.Parse(maximum.GetRawText(), CultureInfo.InvariantCulture) + 1), $"{name}: above maximum")));
            }
        }
        if (types.Contains("array"))
        {
            var items = schema.TryGetProperty("items", out var i) ? i : default;
            if (schema.TryGetProperty("maxItems", out var maxItems) && maxItems.GetInt32() < 2_000)
            {
                options.Add(ValueGen(items, name).Select(v => ((JsonNode?)new JsonArray([.. Enumerable.Range(0, maxItems.GetInt32() + 1).Select(_ => v?.DeepClone())]),
                    $"{name}: over maxItems")));
            }
            if (schema.TryGetProperty("minItems", out var minItems) && minItems.GetInt32() > 0)
            {
                options.Add(Gen.Constant<(JsonNode?, string)>((new JsonArray(), $"{name}: under minItems")));
            }
            if (InvalidGen(items, name) is { } badItem)
            {
                options.Add(badItem.Select(b => ((JsonNode?)new JsonArray(b.Value?.DeepClone()), $"{name}[0]: {b.Why}")));
            }
        }
        if (types.Contains("object") && schema.TryGetProperty("properties", out var properties))
        {
            var required = Required(schema);
            if (required.Count > 0)
            {
                options.Add(ObjectGen(schema, 0).SelectMany(o => Gen.Elements(required.ToArray()).Select(missing =>
                {
                    var copy = (JsonObject)o!.DeepClone();
                    copy.Remove(missing);
                    return ((JsonNode?)copy, $"{missing} is required");
                })));
            }
            // One property made invalid, the others valid.
            var invalidProperties = properties.EnumerateObject()
                .Select(p => (p.Name, Gen: InvalidGen(p.Value, p.Name)))
                .Where(p => p.Gen is not null)
                .ToArray();
            if (invalidProperties.Length > 0)
            {
                options.Add(ObjectGen(schema, 0).SelectMany(o => Gen.Elements(invalidProperties).SelectMany(p => p.Gen!.Select(bad =>
                {
                    var copy = (JsonObject)o!.DeepClone();
                    copy[p.Name] = bad.Value?.DeepClone();
                    return ((JsonNode?)copy, bad.Why);
                }))));
            }
        }
        return options.Count == 0 ? null : Gen.OneOf(options);
    }

    /// <summary>Strings that satisfy the patterns the document uses (handles, hashes, media types).</summary>
    private static readonly string[] PatternSamples =
    [
        "fuzz-handle", "abc", "a1b2c3", new string('a', 64), "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "text/plain", "application/json; charset=utf-8", "image/png", "application/vnd.api+json;q=\"x y\"",
    ];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> Regexes = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> TextLengths = new(StringComparer.Ordinal);

    private Gen<string> StringGen(JsonElement schema, string name)
    {
        var min = schema.TryGetProperty("minLength", out var mn) ? mn.GetInt32() : 0;
        var max = schema.TryGetProperty("maxLength", out var mx) ? mx.GetInt32() : int.MaxValue;
        if (schema.TryGetProperty("format", out var format) && format.GetString() == "date-time")
        {
            return Gen.Elements("2026-12-01T00:00:00Z", "2030-01-01T12:30:00.123Z", "2000-02-29T23:59:59+02:00", "2099-12-31T23:59:59.999Z");
        }
        var pattern = schema.TryGetProperty("pattern", out var p) ? Regexes.GetOrAdd(p.GetString()!, text => new Regex(text)) : null;
        bool Fits(string s) => s.Length <= max && TextLengths.GetOrAdd(s, t => new StringInfo(t).LengthInTextElements) >= min && (pattern is null || pattern.IsMatch(s));

        // Chosen from lists filtered here, never by a generator's filter: a filter nothing passes would never return.
        var real = world.ValuesFor(name).Concat(world.ValuesFor(name.TrimEnd('s'))).Where(Fits).ToArray();
        var words = new[] { "hello", "a", "Fuzz name", "ok-value", "x_y", "a.b", "Ünïcödé", "中文", "tab\there", "line\nbreak" }.Concat(PatternSamples).Where(Fits).ToArray();
        var hostile = HostileStrings.Where(Fits).ToArray();
        var options = new List<(int, Gen<string>)>();
        if (real.Length > 0)
        {
            options.Add((12, Gen.Elements(real)));
        }
        if (words.Length > 0)
        {
            options.Add((4, Gen.Elements(words)));
        }
        if (hostile.Length > 0)
        {
            options.Add((2, Gen.Elements(hostile)));
        }
        if (pattern is null && max < int.MaxValue)
        {
            options.Add((2, Gen.Choose(min, Math.Min(max, 5_000)).Select(n => new string('s', n))));
        }
        return options.Count > 0
            ? Gen.Frequency(options.ToArray())
            : throw new InvalidOperationException($"No sample string fits the schema of '{name}' ({schema}): add one to PatternSamples.");
    }

    private static Gen<long> IntegerGen(JsonElement schema)
    {
        var min = schema.TryGetProperty("minimum", out var mn) ? (long)decimal.Parse(mn.GetRawText(), CultureInfo.InvariantCulture) : long.MinValue;
        var max = schema.TryGetProperty("maximum", out var mx) ? (long)decimal.Parse(mx.GetRawText(), CultureInfo.InvariantCulture) : long.MaxValue;
        var edges = new[] { min, max, 0, 1, -1, 50, 200, int.MaxValue, long.MaxValue, long.MinValue }.Where(n => n >= min && n <= max).ToArray();
        var inside = Gen.Choose((int)Math.Max(min, int.MinValue), (int)Math.Min(max, int.MaxValue)).Select(n => (long)n);
        return Gen.Frequency((1, Gen.Elements(edges)), (2, inside));
    }

    private Gen<JsonNode?> ArrayGen(JsonElement schema, string name, int depth)
    {
        var items = schema.TryGetProperty("items", out var i) ? i : default;
        var min = schema.TryGetProperty("minItems", out var mn) ? mn.GetInt32() : 0;
        var max = Math.Min(schema.TryGetProperty("maxItems", out var mx) ? mx.GetInt32() : 4, Math.Max(min, 4));
        return Gen.Choose(min, max).SelectMany(n => Gen.ListOf(ValueGen(items, name, depth + 1), n))
            .Select(list => (JsonNode?)new JsonArray([.. list.Select(v => v?.DeepClone())]));
    }

    private Gen<JsonNode?> ObjectGen(JsonElement schema, int depth)
    {
        if (!schema.TryGetProperty("properties", out var properties))
        {
            return AnyJson("object", depth);
        }
        var required = Required(schema);
        var all = properties.EnumerateObject().Select(p => (p.Name, p.Value)).ToArray();
        return Gen.CollectToArray(all, p =>
                from present in required.Contains(p.Name) ? Gen.Constant(true) : Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false)))
                from value in ValueGen(p.Value, p.Name, depth + 1)
                select (p.Name, present, value))
            .Select(values =>
            {
                var node = new JsonObject();
                foreach (var (property, present, value) in values)
                {
                    if (present)
                    {
                        node[property] = value?.DeepClone();
                    }
                }
                return (JsonNode?)node;
            });
    }

    /// <summary>Any JSON (for schemas that admit anything, like a message's content): shaped after the name where one is known.</summary>
    private Gen<JsonNode?> AnyJson(string name, int depth)
    {
        var attachments = world.ValuesFor("attachmentId").ToArray();
        var shaped = new List<JsonNode?>
        {
            new JsonObject { ["text"] = "hello" }, new JsonObject { ["text"] = "" }, new JsonObject { ["text"] = new string('t', 40_000) },
            new JsonObject { ["text"] = "\u0000\u202E" }, new JsonObject { ["data"] = new JsonObject { ["k"] = new JsonArray(1, "two", null) } },
            JsonValue.Create("plain"), JsonValue.Create(7), new JsonArray(), null, new JsonObject(),
        };
        shaped.AddRange(attachments.Select(a => (JsonNode?)new JsonObject { ["attachment_id"] = a }));
        shaped.AddRange(world.ValuesFor(name).Select(v => (JsonNode?)JsonValue.Create(v)));
        return Gen.Elements(shaped.ToArray()).Select(n => n?.DeepClone());
    }

    private static List<string> Types(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return [];
        }
        return type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)] : [type.GetString()!];
    }

    private static HashSet<string> Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(r => r.GetString()!)] : [];

    private static bool Admits(List<string> types, JsonNode? value) => value?.GetValueKind() switch
    {
        null => types.Contains("null"),
        JsonValueKind.Object => types.Contains("object"),
        JsonValueKind.Array => types.Contains("array"),
        JsonValueKind.String => types.Contains("string"),
        JsonValueKind.True or JsonValueKind.False => types.Contains("boolean"),
        JsonValueKind.Number => types.Contains("number")
            || (types.Contains("integer") && decimal.TryParse(value.ToJsonString(), CultureInfo.InvariantCulture, out var n) && n == decimal.Truncate(n)),
        _ => false,
    };

    private static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => value.GetValueKind().ToString().ToLowerInvariant(),
    };
}
