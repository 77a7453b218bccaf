using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("20m", 1_200_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1h1m1s1ms", 3_661_001)]
    [InlineData("45", 45_000)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    public void Reads_valid_durations(string text, long milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("1.5h")]
    [InlineData("1 h")]
    [InlineData(" 1h")]
    [InlineData("1H")]
    [InlineData("1m1h")]
    [InlineData("1h1h")]
    [InlineData("1h30")]
    [InlineData("10x")]
    [InlineData("99999999999999999999s")]
    [InlineData("9999999999999d")]
    public void Rejects_invalid_durations(string text)
    {
        Assert.False(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Fact]
    public void Rejects_null() => Assert.False(DurationParser.TryParse(null!, out _));
}
