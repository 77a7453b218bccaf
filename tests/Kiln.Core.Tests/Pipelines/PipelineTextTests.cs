using System.Text;
using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class PipelineTextTests
{
    [Fact]
    public void Valid_utf8_decodes_and_a_bom_is_dropped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("jobs: { b: { steps: [\"echo héllo\"] } }")).ToArray();

        Assert.True(PipelineText.TryDecode(bytes, ".kiln.yml", out var text, out var error));
        Assert.Null(error);
        Assert.StartsWith("jobs:", text, StringComparison.Ordinal);
        Assert.Contains("héllo", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_reported_at_its_line_and_column()
    {
        var bytes = Encoding.UTF8.GetBytes("jobs:\n  bé:\n    steps: [\"x").Concat(new byte[] { 0xFF }).Concat(Encoding.UTF8.GetBytes("\"]\n")).ToArray();

        Assert.False(PipelineText.TryDecode(bytes, ".kiln.yml", out _, out var error));
        Assert.Equal((3, 15), (error!.Line, error.Column));
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Contains("0xFF", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_10_MB_file_is_refused_at_once()
    {
        var bytes = new byte[10 * 1024 * 1024];
        Array.Fill(bytes, (byte)'a');
        Assert.False(PipelineText.TryDecode(bytes, ".kiln.yml", out _, out var error));

        Assert.Contains("limited to", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_just_under_the_limit_parses_without_throwing()
    {
        // A 1 MiB flow of one long scalar: the largest input the parser is ever given.
        var text = "jobs:\n  a:\n    steps: [\"" + new string('x', PipelineText.MaxBytes - 40) + "\"]\n";
        Assert.True(PipelineText.TryDecode(Encoding.UTF8.GetBytes(text), ".kiln.yml", out var decoded, out _));
        var result = PipelineParser.Parse(decoded);

        Assert.True(result.Success, string.Join('\n', result.Errors));
    }
}
