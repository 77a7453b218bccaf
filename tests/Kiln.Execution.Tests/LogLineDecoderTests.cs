using System.Text;
using Kiln.Execution;

namespace Kiln.Execution.Tests;

public sealed class LogLineDecoderTests
{
    private static List<string> Decode(LogLineDecoder decoder, params string[] chunks) =>
        DecodeBytes(decoder, chunks.Select(Encoding.UTF8.GetBytes).ToArray());

    private static List<string> DecodeBytes(LogLineDecoder decoder, params byte[][] chunks)
    {
        var lines = new List<string>();
        foreach (byte[] chunk in chunks)
        {
            decoder.Decode(chunk, lines);
        }

        decoder.Flush(lines);
        return lines;
    }

    [Fact]
    public void Lines_end_at_LF_and_CRLF_even_across_chunks()
    {
        Assert.Equal(["one", "two", "three", "", "four"], Decode(new LogLineDecoder(), "one\ntw", "o\r", "\nthree\n\nfo", "ur"));
    }

    [Fact]
    public void Final_unterminated_line_is_emitted_only_on_flush()
    {
        var decoder = new LogLineDecoder();
        var lines = new List<string>();

        decoder.Decode("a\nb"u8, lines);
        Assert.Equal(["a"], lines);

        decoder.Flush(lines);
        Assert.Equal(["a", "b"], lines);
    }

    [Theory]
    [InlineData("10%\r20%\r30%\n", "30%")]
    [InlineData("progress\r\n", "progress")]
    [InlineData("a\r\rb\r\r\n", "b")]
    [InlineData("\r\r\n", "")]
    [InlineData("text\r", "text")]
    public void Carriage_returns_keep_the_text_after_the_last_overwrite(string input, string expected)
    {
        Assert.Equal([expected], Decode(new LogLineDecoder(), input));
    }

    [Fact]
    public void Carriage_return_split_across_chunks_still_overwrites()
    {
        Assert.Equal(["new"], Decode(new LogLineDecoder(), "old\r", "new\n"));
        Assert.Equal(["old"], Decode(new LogLineDecoder(), "old\r", "\r", "\n"));
    }

    [Fact]
    public void A_progress_bar_without_newline_keeps_memory_small()
    {
        var decoder = new LogLineDecoder();
        var lines = new List<string>();
        for (int i = 0; i < 100_000; i++)
        {
            decoder.Decode(Encoding.UTF8.GetBytes($"\rdownloading {i}"), lines);
            Assert.True(decoder.PendingBytes < 64);
        }

        decoder.Decode("\n"u8, lines);
        Assert.Equal(["downloading 99999"], lines);
    }

    [Fact]
    public void NUL_becomes_the_NUL_symbol()
    {
        Assert.Equal(["a\u2400b"], DecodeBytes(new LogLineDecoder(), [(byte)'a', 0, (byte)'b', (byte)'\n']));
    }

    [Fact]
    public void Invalid_UTF8_becomes_replacement_characters()
    {
        string line = Assert.Single(DecodeBytes(new LogLineDecoder(), [(byte)'a', 0xFF, 0xC3, (byte)'b', 0x80, (byte)'\n']));

        Assert.Equal("a\uFFFD\uFFFDb\uFFFD", line);
    }

    [Fact]
    public void Characters_split_across_reads_decode_whole()
    {
        byte[] text = Encoding.UTF8.GetBytes("é€😀\n");
        byte[][] oneByteChunks = text.Select(b => new[] { b }).ToArray();

        Assert.Equal(["é€😀"], DecodeBytes(new LogLineDecoder(), oneByteChunks));
    }

    [Fact]
    public void A_line_of_exactly_the_limit_is_not_split()
    {
        const int limit = 64;
        string line = new('x', limit);

        Assert.Equal([line], Decode(new LogLineDecoder(limit), line[..10], line[10..] + "\n"));
    }

    [Fact]
    public void A_long_line_is_split_into_marked_pieces_on_character_boundaries()
    {
        const int limit = 64;
        string line = string.Concat(Enumerable.Repeat("é€😀a", 40));

        List<string> pieces = Decode(new LogLineDecoder(limit), line[..50], line[50..] + "\nnext\n");

        Assert.Equal("next", pieces[^1]);
        pieces.RemoveAt(pieces.Count - 1);
        Assert.True(pieces.Count > 2);
        Assert.All(pieces, piece => Assert.True(Encoding.UTF8.GetByteCount(piece) <= limit));
        Assert.All(pieces, piece => Assert.DoesNotContain('\uFFFD', piece));
        Assert.All(pieces[..^1], piece => Assert.EndsWith(LogLimits.SplitMarker, piece, StringComparison.Ordinal));
        Assert.Equal(line, string.Concat(pieces).Replace(LogLimits.SplitMarker, "", StringComparison.Ordinal));
    }

    [Fact]
    public void Memory_for_a_huge_line_stays_bounded_by_the_limit()
    {
        var decoder = new LogLineDecoder();
        var lines = new List<string>();
        byte[] chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'y');
        for (int i = 0; i < 160; i++)
        {
            decoder.Decode(chunk, lines);
            Assert.True(decoder.PendingBytes <= LogLimits.MaxLineBytes);
        }

        decoder.Flush(lines);
        Assert.Equal(11, lines.Count);
        Assert.Equal(10L * 1024 * 1024, lines.Sum(line => (long)line.Replace(LogLimits.SplitMarker, "", StringComparison.Ordinal).Length));
    }
}
