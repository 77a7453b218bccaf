using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Kiln.Tests;

namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>
/// A real <c>kiln server</c> process on a free loopback port with its own temporary data folder and one agent,
/// on SQLite in that folder or on a PostgreSQL database made for it (<see cref="KilnDatabase"/>).
/// The admin token is chosen here (<c>KILN_BOOTSTRAP_ADMIN_TOKEN</c>) so the test knows it. The server can be
/// stopped with SIGINT (or killed) and started again on the same data folder, database and port; the
/// PostgreSQL database is dropped with the server.
/// </summary>
public sealed class KilnServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CliTimeout = TimeSpan.FromMinutes(3);

    private readonly StringBuilder _output = new();
    private readonly string _root;
    private Process? _process;
    private HttpClient? _http;
    private int _starts;

    private KilnServerProcess()
    {
        _root = Directory.CreateTempSubdirectory("kiln-e2e-").FullName;
        DataDir = Path.Combine(_root, "data");
        Port = FreeLoopbackPort();
        Url = $"http://127.0.0.1:{Port}";
        Token = "e2e-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    }

    public string Url { get; }

    public int Port { get; }

    /// <summary>The admin API token (bootstrap token).</summary>
    public string Token { get; }

    public string DataDir { get; }

    public KilnDatabase Database { get; private set; }

    /// <summary>The connection string of this server's own PostgreSQL database; null on SQLite.</summary>
    public string? PostgresConnection { get; private set; }

    /// <summary>A client for <see cref="Url"/> with the admin bearer token; replaced on every start.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("The server is not started.");

    public KilnApi Api => new(Http, () => Output);

    /// <summary>Everything the server wrote to stdout and stderr over all its starts.</summary>
    public string Output => ProcessRunner.Snapshot(_output);

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's process id while it runs.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not started.");

    private IReadOnlyDictionary<string, string> _settings = new Dictionary<string, string>();
    private int _agents = 1;

    /// <summary>Starts a new server on a fresh data folder (and a fresh database) and waits until it is ready.</summary>
    /// <param name="settings">Extra <c>KILN_*</c> settings for the server process (e.g. a small log cap).</param>
    /// <param name="agents">Agents the server starts beside itself (<c>--agents</c>); 0 to test remote agents.</param>
    /// <param name="database">Where the server keeps its state.</param>
    public static async Task<KilnServerProcess> StartNewAsync(
        IReadOnlyDictionary<string, string>? settings = null,
        int agents = 1,
        KilnDatabase database = KilnDatabase.Sqlite)
    {
        var server = new KilnServerProcess { _settings = settings ?? new Dictionary<string, string>(), _agents = agents, Database = database };
        try
        {
            if (database == KilnDatabase.Postgres)
            {
                server.PostgresConnection = await TestPostgres.CreateDatabaseAsync();
            }

            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on the same data folder and port and waits for <c>/readyz</c>.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The server is already running.");
        }

        _process?.Dispose();
        _http?.Dispose();
        _starts++;
        ProcessRunner.Append(_output, $"=== kiln server start #{_starts} on {Database} ===");

        // The same database on every start: a restart must find the state the previous process left.
        string[] database = PostgresConnection is null ? [] : ["--db", "postgres", "--db-connection", PostgresConnection];
        var startInfo = ProcessRunner.CreateStartInfo(
            KilnExecutable.FileName,
            KilnExecutable.Arguments(["server", "--data", DataDir, "--urls", Url, "--agents", _agents.ToString(System.Globalization.CultureInfo.InvariantCulture), .. database]),
            _root,
            new Dictionary<string, string?>(_settings.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value))) { ["KILN_BOOTSTRAP_ADMIN_TOKEN"] = Token });
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => ProcessRunner.Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => ProcessRunner.Append(_output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = new Uri(Url + "/"),
            Timeout = TimeSpan.FromMinutes(3),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        await WaitUntilReadyAsync(process);

        // A server that ignored --db would run the PostgreSQL half of every test on SQLite and pass it.
        if (PostgresConnection is not null && File.Exists(Path.Combine(DataDir, "kiln.db")))
        {
            throw new InvalidOperationException($"kiln server was started on PostgreSQL but made {DataDir}/kiln.db.\n{Output}");
        }
    }

    /// <summary>
    /// Sends SIGINT (as Ctrl+C or <c>kill -INT</c> would) and waits for the process to exit.
    /// Returns the exit code; throws if the server did not stop within <paramref name="timeout"/>.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException("The server was never started.");
        if (process.HasExited)
        {
            return process.ExitCode;
        }

        var limit = timeout ?? TimeSpan.FromSeconds(30);
        await ProcessRunner.RunAsync("kill", ["-INT", process.Id.ToString()], TimeSpan.FromSeconds(10));
        if (!await WaitForExitAsync(process, limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kiln server did not stop within {limit.TotalSeconds:0} s of SIGINT.\n{Output}");
        }

        return process.ExitCode;
    }

    /// <summary>Runs <c>kiln ARGS</c> as a CLI client of this server (KILN_SERVER, KILN_TOKEN).</summary>
    public Task<ProcessResult> RunCliAsync(params string[] args) =>
        ProcessRunner.RunAsync(
            KilnExecutable.FileName,
            KilnExecutable.Arguments(args),
            CliTimeout,
            _root,
            new Dictionary<string, string?> { ["KILN_SERVER"] = Url, ["KILN_TOKEN"] = Token });

    /// <summary>A temporary path beside the data folder that is deleted with the server (for files steps write).</summary>
    public string ScratchPath(string name) => Path.Combine(_root, name);

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    await ProcessRunner.RunAsync("kill", ["-INT", process.Id.ToString()], TimeSpan.FromSeconds(10));
                    if (!await WaitForExitAsync(process, TimeSpan.FromSeconds(15)))
                    {
                        process.Kill(entireProcessTree: true);
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // Already gone or not killable: nothing more to clean up here.
            }

            process.Dispose();
        }

        _http?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is harmless.
        }

        // Last, once the server is gone; FORCE also ends the connections a kill -9 left behind.
        if (PostgresConnection is not null)
        {
            await TestPostgres.DropDatabaseAsync(PostgresConnection);
        }
    }

    private async Task WaitUntilReadyAsync(Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ReadyTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"kiln server exited with code {process.ExitCode} before it was ready.\n{Output}");
            }

            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = await Http.GetAsync(new Uri("readyz", UriKind.Relative), probe.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"kiln server was not ready (GET /readyz = 200) within {ReadyTimeout.TotalSeconds:0} s.\n{Output}");
    }

    /// <summary>Polls <see cref="Process.HasExited"/>, which unlike WaitForExit does not also wait for
    /// the redirected streams to close (an escaped grandchild could hold them open).</summary>
    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
