using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Tests;

/// <summary>An exception that escapes an endpoint is answered with problem+json whatever the request
/// accepts. Read raw: AddProblemDetails' own writer writes nothing for an Accept without a JSON type.</summary>
public sealed class ErrorResponseTests
{
    private const string Secret = "internal-detail-7f3a";

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("text/event-stream")]
    public async Task An_unhandled_exception_is_a_500_problem_with_a_trace_id_and_no_internals(string? accept)
    {
        var dataDir = KilnTestServer.NewDataDir();
        var app = KilnTestServer.Build(dataDir);
        app.MapGet("/test/throws", string () => throw new InvalidOperationException(Secret)).AllowAnonymous();
        try
        {
            await ServerHost.PrepareAsync(app, CancellationToken.None);
            await app.StartAsync();
#pragma warning disable RS0030 // A bare client for a bare server.
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
#pragma warning restore RS0030
            using var request = new HttpRequestMessage(HttpMethod.Get, "/test/throws");
            if (accept is not null)
            {
                request.Headers.Add("Accept", accept);
            }

            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.False(string.IsNullOrEmpty(body), "an empty 500");
            using var problem = JsonDocument.Parse(body);
            var traceId = problem.RootElement.GetProperty("traceId").GetString();
            Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("Internal server error", problem.RootElement.GetProperty("title").GetString());
            Assert.Contains($"trace id {traceId}", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            KilnTestServer.DeleteDataDir(dataDir);
        }
    }
}
