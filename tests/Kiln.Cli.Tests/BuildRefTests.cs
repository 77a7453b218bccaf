namespace Kiln.Cli.Tests;

public sealed class BuildRefTests
{
    [Theory]
    [InlineData("app#12", "app", 12)]
    [InlineData("my-app.x#1", "my-app.x", 1)]
    [InlineData("app#2147483647", "app", int.MaxValue)]
    public void Parse_accepts_project_hash_positive_number(string text, string project, int number)
    {
        var id = BuildRef.Parse(text);

        Assert.Equal(new BuildRef(project, number), id);
        Assert.Equal(text, id.ToString());
    }

    [Theory]
    [InlineData("app")]
    [InlineData("app#0")]
    [InlineData("app#x")]
    [InlineData("#3")]
    [InlineData("app#")]
    [InlineData("app#-1")]
    [InlineData("app#+1")]
    [InlineData("app# 1")]
    [InlineData("app#1.5")]
    [InlineData("app#99999999999")]
    public void Parse_rejects_anything_else_as_a_usage_error(string text)
    {
        var e = Assert.Throws<CliException>(() => BuildRef.Parse(text));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApiPath_escapes_the_project_name()
    {
        Assert.Equal("api/v1/projects/my-app.x/builds/3", BuildRef.Parse("my-app.x#3").ApiPath);
        Assert.Equal("api/v1/projects/a%20b/builds/3", new BuildRef("a b", 3).ApiPath);
    }
}
