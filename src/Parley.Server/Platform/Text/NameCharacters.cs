namespace Parley.Server.Platform.Text;

/// <summary>The characters no name may hold (<see cref="Validation.Validator.Name"/>, room file paths).</summary>
internal static class NameCharacters
{
    /// <summary>C0 and C1 controls (with DEL), and the Unicode Bidi_Control characters.</summary>
    public static bool IsForbidden(char c) =>
        char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069';
}
