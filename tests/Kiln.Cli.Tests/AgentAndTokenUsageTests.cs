namespace Kiln.Cli.Tests;

/// <summary>Usage errors of <c>kiln token</c>, <c>kiln agents</c> and <c>kiln agent</c>, found before any server is asked.</summary>
public sealed class AgentAndTokenUsageTests
{
    [Theory]
    [InlineData("token", "create", "--agent", "--scope", "read")]
    [InlineData("token", "create", "--scope", "root")]
    [InlineData("token", "create", "--expires", "soon")]
    [InlineData("token", "revoke", "not-a-number")]
    [InlineData("agents", "pause")]
    [InlineData("agent", "--server", "not a url")]
    [InlineData("agent", "--server", "http://127.0.0.1:1", "--slots", "0")]
    public async Task Bad_arguments_exit_2_with_a_message(params string[] args)
    {
        var result = await Cli.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("kiln: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_commands_report_an_unreachable_server_with_exit_3()
    {
        Assert.Equal(3, (await Cli.RunAsync("agents")).ExitCode);
        Assert.Equal(3, (await Cli.RunAsync("token", "list")).ExitCode);
        Assert.Equal(3, (await Cli.RunAsync("token", "create", "--agent", "--expires", "30d")).ExitCode);
    }
}
