using System.Text.RegularExpressions;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sdk;

/// <summary>
/// Every operation of the OpenAPI document has an SDK method (surfaces.md: "every route of every module"). The SDK's
/// sources are read for the calls they make — <c>HttpMethod.X, "v1/…"</c>, the one shape every method uses — and
/// compared with the document the server serves, so a new route without an SDK method fails here.
/// </summary>
public sealed partial class SdkCoverageTests(TestServer server) : IClassFixture<TestServer>
{
    /// <summary>Operations the SDK reaches another way, and why.</summary>
    private static readonly Dictionary<string, string> ReachedOtherwise = new(StringComparer.Ordinal)
    {
        ["PUT /v1/uploads/{}"] = "the signed upload URL CreateRoomUpload answers: UploadFileAsync sends the bytes to the URL as given",
    };

    [Fact]
    public async Task EveryOperationOfTheDocumentHasAnSdkMethod()
    {
        var document = await (await server.Http.GetAsync("/openapi/v1.json")).OkAsync();
        var operations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                operations.Add(operation.Name.ToUpperInvariant() + " " + Normalize(path.Name));
            }
        }

        var called = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src", "Parley.Client"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match call in SdkCall().Matches(await File.ReadAllTextAsync(file)))
            {
                called.Add(call.Groups["method"].Value.ToUpperInvariant() + " " + Normalize("/" + call.Groups["path"].Value.Split('?')[0]));
            }
        }

        Assert.True(operations.Count > 150, $"only {operations.Count} operations in the document");
        var missing = operations.Where(o => !called.Contains(o) && !ReachedOtherwise.ContainsKey(o)).ToList();
        Assert.True(missing.Count == 0, "operations without an SDK method:\n" + string.Join('\n', missing));
        // And the SDK calls nothing the document does not have (a typo in a path would otherwise pass unnoticed).
        var unknown = called.Where(c => !operations.Contains(c)).ToList();
        Assert.True(unknown.Count == 0, "SDK calls of no operation:\n" + string.Join('\n', unknown));
    }

    /// <summary>Path parameters, whatever their names or the expressions that fill them, become <c>{}</c>.</summary>
    private static string Normalize(string path) => Parameter().Replace(path, "{}");

    [GeneratedRegex(@"HttpMethod\.(?<method>Get|Post|Put|Patch|Delete), (?:new Uri\()?\$?""(?<path>[^""]+)""")]
    private static partial Regex SdkCall();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();
}
