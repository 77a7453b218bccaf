using System.Text.Json;

namespace Kiln.Cli.Client;

/// <summary>Where the client finds its server and token: <c>KILN_SERVER</c>/<c>KILN_TOKEN</c>, else the
/// file <c>kiln login</c> writes, else a local server at 127.0.0.1:8080 with the token its first start
/// wrote to <c>./kiln-data/initial-admin-token</c>.</summary>
public sealed record ClientSettings(Uri Server, string? Token)
{
    public const string DefaultServer = "http://127.0.0.1:8080";

    public static string LoginFile =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "kiln", "login.json");

    public static ClientSettings Resolve()
    {
        var server = Environment.GetEnvironmentVariable("KILN_SERVER");
        var token = Environment.GetEnvironmentVariable("KILN_TOKEN");
        if ((string.IsNullOrEmpty(server) || string.IsNullOrEmpty(token)) && File.Exists(LoginFile))
        {
            var saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(LoginFile)) ?? [];
            server = string.IsNullOrEmpty(server) ? saved.GetValueOrDefault("server") : server;
            token = string.IsNullOrEmpty(token) ? saved.GetValueOrDefault("token") : token;
        }

        server = string.IsNullOrEmpty(server) ? DefaultServer : server;
        if (string.IsNullOrEmpty(token))
        {
            var data = Environment.GetEnvironmentVariable("KILN_DATA") is { Length: > 0 } d ? d : "kiln-data";
            var file = Path.Combine(data, "initial-admin-token");
            token = File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }

        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var uri))
        {
            throw new CliException(ExitCodes.Usage, $"KILN_SERVER '{server}' is not a URL like http://127.0.0.1:8080.");
        }

        return new ClientSettings(uri, token);
    }
}
