using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using Kiln.Contracts.Api;
using Microsoft.Extensions.Logging;

namespace Kiln.Agent;

/// <summary>What <c>kiln agent</c> was started with.</summary>
public sealed record AgentSetup(Uri Server, string? RegistrationToken, string Name, IReadOnlyList<string> Labels, int Slots, string WorkDir);

/// <summary>A check before the agent runs failed: <c>Refused</c> for an unreachable server or a refused token
/// (exit code 3), otherwise the setup is wrong (exit code 2).</summary>
public sealed class AgentStartupException(bool refused, string message) : Exception(message)
{
    public bool Refused { get; } = refused;
}

/// <summary>The checks of a remote agent's start, in order, each with a message that says what to do: git on
/// PATH, a writable work folder, a reachable server (<c>/healthz</c>), then its identity: the one saved in
/// <c>WORK/agent.json</c>, or a new one registered with the registration token and saved there; finally a
/// hello with the agent's token proves the server still accepts it and updates its labels and slots.</summary>
public static class AgentStartup
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    public static async Task<(AgentIdentity Identity, AgentHelloResponse Hello)> PrepareAsync(AgentSetup setup, HttpClient http, ILogger logger, CancellationToken cancellationToken)
    {
        if (FindOnPath("git") is null)
        {
            throw new AgentStartupException(false, "git was not found on PATH; the agent checks out repositories with it. Install git and start the agent again.");
        }

        CheckWritable(setup.WorkDir);
        await CheckReachableAsync(setup.Server, http, cancellationToken);

        AgentIdentity? identity;
        try
        {
            identity = AgentIdentity.Load(setup.WorkDir);
        }
        catch (InvalidDataException e)
        {
            throw new AgentStartupException(false, e.Message + " Delete it to register the agent again.");
        }

        if (identity is not null && !SameServer(identity.Server, setup.Server))
        {
            throw new AgentStartupException(false, $"{AgentIdentity.PathIn(setup.WorkDir)} belongs to the server {identity.Server}, not {setup.Server}; use another --work folder.");
        }

        if (identity is null)
        {
            identity = await RegisterAsync(setup, http, cancellationToken);
            identity.Save(setup.WorkDir);
            logger.LogInformation("Registered as agent {Agent} (id {AgentId}); identity saved in {IdentityFile}", identity.Name, identity.AgentId, AgentIdentity.PathIn(setup.WorkDir));
        }
        else if (identity.Name != setup.Name)
        {
            logger.LogInformation("Agent {Agent} (id {AgentId}) from {IdentityFile}; its name stays {Agent2}", identity.Name, identity.AgentId, AgentIdentity.PathIn(setup.WorkDir), identity.Name);
        }

        var options = new AgentOptions { ServerUrl = setup.Server, Token = identity.Token, Name = identity.Name, WorkDir = setup.WorkDir, Slots = setup.Slots, Labels = setup.Labels };
        var hello = new AgentHelloRequest(options.AllLabels, setup.Slots, AgentHost.Version, AgentHost.OsDescription, AgentHost.FreeDiskBytes(setup.WorkDir), AgentHost.LoadAverage());
        using var response = await PostAsync(http, setup.Server, "api/v1/agent/hello", identity.Token, JsonContent.Create(hello, KilnJsonContext.Default.AgentHelloRequest), cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new AgentStartupException(true, $"the server refused agent {identity.Name}'s token (was it removed with `kiln agents remove`?). "
                + $"Delete {AgentIdentity.PathIn(setup.WorkDir)} and start again with a new registration token (`kiln token create --agent`).");
        }

        await EnsureAsync(response, "say hello", cancellationToken);
        return (identity, (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.AgentHelloResponse, cancellationToken))!);
    }

    /// <summary>The full path of an executable named <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindOnPath(string name, string? path = null) =>
        (path ?? Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(file => File.Exists(file) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0));

    private static void CheckWritable(string workDir)
    {
        try
        {
            Directory.CreateDirectory(workDir);
            var probe = Path.Combine(workDir, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentStartupException(false, $"the work folder {workDir} is not writable ({e.Message}); choose another with --work.");
        }
    }

    private static async Task CheckReachableAsync(Uri server, HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CallTimeout);
            using var response = await http.GetAsync(new Uri(server, "healthz"), timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new AgentStartupException(true, $"the Kiln server at {server} answered {(int)response.StatusCode} to /healthz; is that a Kiln server?");
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new AgentStartupException(true, $"cannot reach the Kiln server at {server}: {e.Message}");
        }
    }

    private static async Task<AgentIdentity> RegisterAsync(AgentSetup setup, HttpClient http, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(setup.RegistrationToken))
        {
            throw new AgentStartupException(false, $"the first start of an agent needs --token with a registration token (create one with `kiln token create --agent`); there is no {AgentIdentity.PathIn(setup.WorkDir)} yet.");
        }

        var options = new AgentOptions { ServerUrl = setup.Server, Token = "", Name = setup.Name, WorkDir = setup.WorkDir, Labels = setup.Labels };
        var request = new RegisterAgentRequest(setup.Name, options.AllLabels, setup.Slots, AgentHost.Version, AgentHost.OsDescription);
        using var response = await PostAsync(http, setup.Server, "api/v1/agent/register", setup.RegistrationToken, JsonContent.Create(request, KilnJsonContext.Default.RegisterAgentRequest), cancellationToken);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                throw new AgentStartupException(true, "the server refused the registration token (unknown, revoked or expired); create one with `kiln token create --agent`.");
            case HttpStatusCode.Forbidden:
                throw new AgentStartupException(true, "that token is not a registration token; create one with `kiln token create --agent`.");
            case HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest:
                throw new AgentStartupException(false, "the server did not register the agent: " + await DetailAsync(response, cancellationToken));
        }

        await EnsureAsync(response, "register", cancellationToken);
        var registered = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.RegisterAgentResponse, cancellationToken))!;
        return new AgentIdentity(registered.AgentId, registered.Name, registered.Token, setup.Server.ToString());
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, Uri server, string path, string token, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CallTimeout);
            return await http.SendAsync(request, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new AgentStartupException(true, $"cannot reach the Kiln server at {server}: {e.Message}");
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new AgentStartupException(true, $"the server would not let the agent {what}: {(int)response.StatusCode} {await DetailAsync(response, cancellationToken)}");
        }
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var problem = JsonSerializer.Deserialize(body, KilnJsonContext.Default.ProblemResource);
            return problem?.Detail ?? problem?.Title ?? body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private static bool SameServer(string saved, Uri server) =>
        string.Equals(saved.TrimEnd('/'), server.ToString().TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
