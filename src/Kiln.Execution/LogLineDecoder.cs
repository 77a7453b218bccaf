using System.Text;

namespace Kiln.Execution;

/// <summary>
/// Turns a process's raw output bytes into display lines, chunk by chunk, with memory bounded by
/// the line limit.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>'\n' ends a line; "\r\n" counts as one end.</item>
/// <item>Inside a line, '\r' returns the carriage as on a terminal: only the text after the
/// last '\r' that is followed by text is kept ("10%\r20%\r\n" gives "20%"). Overwritten text
/// is dropped as soon as it is overwritten, so a progress bar never grows the buffer.</item>
/// <item>NUL becomes U+2400 '␀'; invalid UTF-8 becomes U+FFFD. Bytes of an unfinished line
/// (including a character split across reads) are kept until the line ends.</item>
/// <item>A line longer than the limit is emitted in pieces of at most the limit (input
/// bytes, marker included), cut on a UTF-8 character boundary; every piece but the last ends
/// with <see cref="LogLimits.SplitMarker"/>.</item>
/// </list>
/// Not thread-safe: one decoder per output stream.
/// </remarks>
internal sealed class LogLineDecoder
{
    private const byte LineFeed = (byte)'\n';
    private const byte CarriageReturn = (byte)'\r';

    private readonly int _maxLineBytes;
    private readonly int _pieceBytes;
    private byte[] _pending = [];
    private int _length;

    public LogLineDecoder()
        : this(LogLimits.MaxLineBytes)
    {
    }

    /// <param name="maxLineBytes">The line limit; smaller values are for tests.</param>
    public LogLineDecoder(int maxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, LogLimits.SplitMarker.Length + 8);
        _maxLineBytes = maxLineBytes;
        _pieceBytes = maxLineBytes - LogLimits.SplitMarker.Length;
    }

    /// <summary>Number of bytes held for the unfinished line; never more than the limit.</summary>
    public int PendingBytes => _length;

    /// <summary>Decodes one chunk, adding every line it completes to <paramref name="lines"/>.</summary>
    public void Decode(ReadOnlySpan<byte> bytes, List<string> lines)
    {
        // Most chunks hold neither '\r' nor NUL: their lines need no rewriting, only decoding.
        bool plain = !bytes.ContainsAny(CarriageReturn, (byte)0);
        while (true)
        {
            int end = bytes.IndexOf(LineFeed);
            if (end < 0)
            {
                Append(bytes, lines);
                return;
            }

            if (_length == 0 && end <= _maxLineBytes)
            {
                lines.Add(plain ? Encoding.UTF8.GetString(bytes[..end]) : ToText(bytes[..end]));
            }
            else
            {
                Append(bytes[..end], lines);
                lines.Add(ToText(_pending.AsSpan(0, _length)));
                _length = 0;
            }

            bytes = bytes[(end + 1)..];
        }
    }

    /// <summary>At end of output: emits the unterminated last line, if any.</summary>
    public void Flush(List<string> lines)
    {
        if (_length > 0)
        {
            lines.Add(ToText(_pending.AsSpan(0, _length)));
            _length = 0;
        }
    }

    private void Append(ReadOnlySpan<byte> bytes, List<string> lines)
    {
        while (!bytes.IsEmpty)
        {
            if (_length == _maxLineBytes)
            {
                EmitPiece(lines);
            }

            int count = Math.Min(bytes.Length, _maxLineBytes - _length);
            EnsureCapacity(_length + count);
            bytes[..count].CopyTo(_pending.AsSpan(_length));
            int appendedAt = _length;
            _length += count;
            bytes = bytes[count..];
            DropOverwrittenText(appendedAt);
        }
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _pending.Length)
        {
            return;
        }

        int size = Math.Max(needed, Math.Min(_maxLineBytes, Math.Max(4096, _pending.Length * 2)));
        Array.Resize(ref _pending, size);
    }

    /// <summary>Drops the text before the last '\r' that is followed by text, looking only at what is new.</summary>
    private void DropOverwrittenText(int appendedAt)
    {
        int from = Math.Max(0, appendedAt - 1);
        ReadOnlySpan<byte> region = _pending.AsSpan(from, _length - from);
        ReadOnlySpan<byte> text = region.TrimEnd(CarriageReturn);
        int carriageReturn = text.LastIndexOf(CarriageReturn);
        if (carriageReturn < 0)
        {
            return;
        }

        int keepFrom = from + carriageReturn + 1;
        _pending.AsSpan(keepFrom, _length - keepFrom).CopyTo(_pending);
        _length -= keepFrom;
    }

    private void EmitPiece(List<string> lines)
    {
        int cut = _pieceBytes;
        for (int back = 0; back < 3 && IsContinuationByte(_pending[cut]); back++)
        {
            cut--;
        }

        lines.Add(string.Concat(ToText(_pending.AsSpan(0, cut)), LogLimits.SplitMarker));
        _pending.AsSpan(cut, _length - cut).CopyTo(_pending);
        _length -= cut;
    }

    private static bool IsContinuationByte(byte value) => (value & 0xC0) == 0x80;

    private static string ToText(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd(CarriageReturn);
        int carriageReturn = line.LastIndexOf(CarriageReturn);
        if (carriageReturn >= 0)
        {
            line = line[(carriageReturn + 1)..];
        }

        if (line.IsEmpty)
        {
            return string.Empty;
        }

        string text = Encoding.UTF8.GetString(line);
        return line.Contains((byte)0) ? text.Replace('\0', '\u2400') : text;
    }
}
