namespace Kiln.Cli.Tests;

public sealed class UnreachableServerTests
{
    [Theory]
    [InlineData("status")]
    [InlineData("project", "list")]
    [InlineData("project", "show", "app")]
    [InlineData("build", "app")]
    [InlineData("logs", "app#1")]
    [InlineData("cancel", "app#1")]
    public async Task A_server_that_cannot_be_reached_exits_3(params string[] args)
    {
        var result = await Cli.RunAsync(Cli.Unreachable, "t", args);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("cannot reach the Kiln server at http://127.0.0.1:1/", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }
}
