namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>Assertions whose failure messages carry what is needed to debug a real-process test.</summary>
public static class Expect
{
    private const int ServerOutputTail = 20_000;

    public static void ExitCode(int expected, ProcessResult result, KilnServerProcess server) =>
        Assert.True(result.ExitCode == expected, $"expected exit code {expected}, got {result.Output}\n{ServerTail(server)}");

    public static string ServerTail(KilnServerProcess server)
    {
        var output = server.Output;
        return "--- server output ---\n" + (output.Length > ServerOutputTail ? "…" + output[^ServerOutputTail..] : output);
    }

    /// <summary>An RFC 9457 error: the expected status(es) and <c>application/problem+json</c>; returns the body.</summary>
    public static async Task<string> ProblemAsync(HttpResponseMessage response, params int[] statuses)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(statuses.Contains((int)response.StatusCode), $"expected HTTP {string.Join(" or ", statuses)}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return body;
    }
}
