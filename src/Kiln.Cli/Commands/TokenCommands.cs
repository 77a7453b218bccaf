using System.CommandLine;
using System.Globalization;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.Core.Pipelines;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln token create|list|revoke</c>. <c>create</c> prints the new secret alone on the last line of
/// stdout, so scripts can take it with <c>tail -1</c>.</summary>
public static class TokenCommands
{
    public static Command Create(CommandContext ctx)
    {
        var token = new Command("token", "Create, list and revoke API tokens");
        token.Subcommands.Add(CreateToken(ctx));
        token.Subcommands.Add(List(ctx));
        token.Subcommands.Add(Revoke(ctx));
        return token;
    }

    private static Command CreateToken(CommandContext ctx)
    {
        var agent = new Option<bool>("--agent") { Description = "An agent registration token (it may only register agents: kiln agent --token)" };
        var scope = new Option<string?>("--scope") { Description = "read, write or admin (user tokens; default write)" };
        var expires = new Option<string?>("--expires") { Description = "Lifetime such as 30d or 12h (default: never expires)" };
        var name = new Option<string?>("--name") { Description = "A name to recognise the token by" };
        var cmd = new Command("create", "Create a token and print its secret once (alone on the last line)") { agent, scope, expires, name };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            var isAgent = parse.GetValue(agent);
            var scopeValue = parse.GetValue(scope);
            if (isAgent && scopeValue is not null)
            {
                throw new CliException(ExitCodes.Usage, "--scope is for user tokens; a registration token (--agent) may only register agents.");
            }

            if (scopeValue is not (null or "read" or "write" or "admin"))
            {
                throw new CliException(ExitCodes.Usage, $"--scope must be read, write or admin, not '{scopeValue}'.");
            }

            long? seconds = null;
            if (parse.GetValue(expires) is { } text)
            {
                if (!DurationParser.TryParse(text, out var lifetime) || lifetime < TimeSpan.FromSeconds(1))
                {
                    throw new CliException(ExitCodes.Usage, $"--expires must be a duration such as 30d, 12h or 90m, not '{text}'.");
                }

                seconds = (long)lifetime.TotalSeconds;
            }

            using var api = ctx.Api();
            var request = new CreateTokenRequest(parse.GetValue(name), isAgent ? "agent-registration" : "user", scopeValue, seconds);
            var created = await api.PostAsync("api/v1/tokens", request, KilnJsonContext.Default.CreateTokenRequest, KilnJsonContext.Default.CreatedTokenResource, ct);
            if (parse.GetValue(ctx.JsonOption))
            {
                await ctx.Out.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(created, KilnJsonContext.Default.CreatedTokenResource));
                return ExitCodes.Success;
            }

            var expiry = created.ExpiresAt is { } at ? "expires " + Output.Time(at) : "does not expire";
            await ctx.Out.WriteLineAsync(isAgent
                ? $"Created agent registration token {created.Id} '{created.Name}' ({expiry}). Start an agent with: kiln agent --server {api.Server.ToString().TrimEnd('/')} --token TOKEN"
                : $"Created token {created.Id} '{created.Name}' with scope {created.Scope} ({expiry}).");
            await ctx.Out.WriteLineAsync("It is shown only now:");
            await ctx.Out.WriteLineAsync(created.Token);
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static Command List(CommandContext ctx)
    {
        var cmd = new Command("list", "List tokens (never their secrets)");
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            using var api = ctx.Api();
            if (parse.GetValue(ctx.JsonOption))
            {
                await ctx.Out.WriteLineAsync(await api.GetJsonAsync("api/v1/tokens", ct));
                return ExitCodes.Success;
            }

            var tokens = await api.GetAsync("api/v1/tokens", KilnJsonContext.Default.ListTokenResource, ct);
            var table = new Table().AddColumns("Id", "Name", "Kind", "Scope", "For", "Created", "Expires");
            foreach (var t in tokens)
            {
                table.AddRow(t.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(t.Name), t.Kind, Markup.Escape(t.Scope),
                    Markup.Escape(t.User ?? t.Agent ?? ""), Output.Time(t.CreatedAt), t.ExpiresAt is { } e ? Output.Time(e) : "never");
            }

            ctx.Console.Write(table);
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static Command Revoke(CommandContext ctx)
    {
        var id = new Argument<long>("id") { Description = "The token's id (kiln token list)" };
        var cmd = new Command("revoke", "Revoke a token at once") { id };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            using var api = ctx.Api();
            await api.DeleteAsync($"api/v1/tokens/{parse.GetValue(id)}", ct);
            await ctx.Out.WriteLineAsync($"Revoked token {parse.GetValue(id)}.");
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
