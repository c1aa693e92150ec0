using System.Text.RegularExpressions;

namespace Parley.Server.Platform.Logging;

/// <summary>
/// What may never reach a log line, whatever the level or the component that logs: signatures, tokens and other
/// secrets in query strings, bearer credentials, Parley's keys and tokens (their public id stays, their secret goes),
/// claim tokens, webhook secrets and JWTs (session tokens, passports). Applied by the server's log formatter to the
/// message, every state value, every scope value and the exception text.
/// </summary>
internal static partial class LogRedaction
{
    public const string Mask = "[redacted]";

    public static string Redact(string text) =>
        text.Length == 0 ? text : Secret().Replace(text, match => match.Groups["keep"].Value + Mask);

    [GeneratedRegex(
        """(?<keep>[?&;](?:signature|sig|token|access_token|refresh_token|api_key|apikey|key|code|password|secret|expires_sig)=)[^&\s"'#]*"""
        + """|(?<keep>\b[Bb]earer\s+)\S+"""
        + """|(?<keep>\bprl_(?:sk|pk|pat|dev|rt)_[A-Za-z0-9]{12}_)[A-Za-z0-9]+"""
        + """|(?<keep>\bprl_claim_)[0-9a-f]+"""
        + """|(?<keep>\bwhsec_)[A-Za-z0-9+/=]+"""
        + """|(?<keep>)\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*""",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Secret();
}
