using System.Text;

namespace Kiln.Core.Pipelines;

/// <summary>Turns a pipeline file's bytes into text, refusing what the parser should never see:
/// files over <see cref="MaxBytes"/> and bytes that are not UTF-8 (reported at their line and column,
/// not silently replaced).</summary>
public static class PipelineText
{
    /// <summary>1 MiB: ten times the largest real pipelines we know of, small enough to parse at once.</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryDecode(ReadOnlySpan<byte> bytes, string fileName, out string text, out PipelineError? error)
    {
        text = "";
        error = null;
        if (bytes.Length > MaxBytes)
        {
            error = TooLarge(fileName, bytes.Length);
            return false;
        }

        var start = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        try
        {
            text = Strict.GetString(bytes[start..]);
            return true;
        }
        catch (DecoderFallbackException e)
        {
            var at = start + Math.Max(0, e.Index);
            var (line, column) = Position(bytes[start..at]);
            error = new PipelineError(fileName, line, column, $"the file is not valid UTF-8: byte 0x{bytes[at]:X2} at offset {at} cannot start or continue a character");
            return false;
        }
    }

    public static PipelineError TooLarge(string fileName, long size) =>
        new(fileName, 1, 1, $"the file has {size:N0} bytes; pipeline files are limited to {MaxBytes:N0} bytes (1 MiB)");

    /// <summary>Line and column (1-based, in characters) just after the given valid prefix.</summary>
    private static (int Line, int Column) Position(ReadOnlySpan<byte> prefix)
    {
        var lastNewline = prefix.LastIndexOf((byte)'\n');
        var line = prefix.Count((byte)'\n') + 1;
        var column = Strict.GetCharCount(prefix[(lastNewline + 1)..]) + 1;
        return (line, column);
    }
}
