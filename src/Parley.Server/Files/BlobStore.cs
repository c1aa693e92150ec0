namespace Parley.Server.Files;

/// <summary>
/// Where file bytes live. The default is a local folder (one node, or several nodes sharing a volume); another store
/// (object storage) can be added behind this interface.
/// </summary>
internal interface IBlobStore
{
    /// <summary>A stream to stage bytes in before they are verified.</summary>
    Stream CreateStaging(string id);

    /// <summary>Makes staged bytes the file's bytes, durably.</summary>
    void Commit(string id);

    void DiscardStaging(string id);

    Stream OpenRead(string id);

    void Delete(string id);
}

internal sealed class LocalBlobStore(string root) : IBlobStore
{
    private string Staging => Path.Combine(root, "staging");

    public Stream CreateStaging(string id)
    {
        Directory.CreateDirectory(Staging);
        return new FileStream(StagingPath(id), FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
    }

    public void Commit(string id)
    {
        var target = FinalPath(id);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(StagingPath(id), target, overwrite: true);
    }

    public void DiscardStaging(string id) => File.Delete(StagingPath(id));

    public Stream OpenRead(string id) =>
        new FileStream(FinalPath(id), FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);

    public void Delete(string id)
    {
        File.Delete(FinalPath(id));
        File.Delete(StagingPath(id));
    }

    private string StagingPath(string id) => Path.Combine(Staging, Checked(id));

    /// <summary>Ids end in random characters; two of them spread files over folders.</summary>
    private string FinalPath(string id) => Path.Combine(root, Checked(id)[^2..].ToLowerInvariant(), id);

    private static string Checked(string id) =>
        id.Length > 5 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? id : throw new ArgumentException("Not a file id.", nameof(id));
}
