namespace Parley.Server.Platform.Http;

/// <summary>
/// Request body limits: <c>Limits:MaxJsonBodyBytes</c> everywhere, except on the few routes a module raises it for
/// (the gateway's call API carries bodies of up to 10 MiB). Set before routing, so a route is named by its path.
/// </summary>
internal sealed class BodyLimits
{
    private readonly Dictionary<string, long> _raised = new(StringComparer.OrdinalIgnoreCase);

    public void Raise(string path, long bytes) => _raised[path] = bytes;

    public long For(PathString path, long fallback) => path.HasValue && _raised.TryGetValue(path.Value!, out var raised) ? raised : fallback;
}
