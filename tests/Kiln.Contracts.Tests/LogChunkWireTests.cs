using Kiln.Contracts.AgentProtocol;

namespace Kiln.Contracts.Tests;

public sealed class LogChunkWireTests
{
    private const long T0 = 1_767_225_600_000;

    [Fact]
    public void Times_are_formatted_as_line_colon_ms_pairs_separated_by_semicolons()
    {
        Assert.Equal($"0:{T0};3:{T0 + 250}", LogChunkWire.FormatTimes([new LineTime(0, T0), new LineTime(3, T0 + 250)]));
        Assert.Equal("", LogChunkWire.FormatTimes([]));
    }

    [Fact]
    public void Times_round_trip()
    {
        LineTime[] times = [new(0, T0), new(1, T0 + 1), new(17, long.MaxValue)];

        Assert.True(LogChunkWire.TryParseTimes(LogChunkWire.FormatTimes(times), out var back));

        Assert.Equal(times, back);
    }

    [Fact]
    public void No_times_parse_as_an_empty_list()
    {
        Assert.True(LogChunkWire.TryParseTimes("", out var times));
        Assert.Empty(times);
    }

    [Theory]
    [InlineData("x:1")]
    [InlineData("1:")]
    [InlineData(":5")]
    [InlineData("1")]
    [InlineData("-1:5")]
    [InlineData("1:-5")]
    [InlineData("1: 5")]
    [InlineData("0:1;0:2")]
    [InlineData("3:1;2:2")]
    [InlineData("99999999999:1")]
    public void Malformed_or_non_increasing_times_are_rejected(string header)
    {
        Assert.False(LogChunkWire.TryParseTimes(header, out _));
    }
}
