using System.Collections;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.Memory;

namespace Kiln.Server.Infrastructure;

/// <summary>Maps <c>KILN_SOME_SETTING</c> environment variables to the <c>Kiln:SomeSetting</c> key, so
/// every setting has one documented variable (<c>KILN_LOG_CAP_BYTES</c>, <c>KILN_BOOTSTRAP_ADMIN_TOKEN</c>).
/// They rank below command-line arguments and above appsettings.json.</summary>
public static class KilnEnvironment
{
    public const string Prefix = "KILN_";

    public static void AddTo(IConfigurationBuilder configuration, IDictionary environment)
    {
        var settings = new Dictionary<string, string?>();
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(Prefix, StringComparison.Ordinal) && name.Length > Prefix.Length)
            {
                settings[KilnServerOptions.Section + ":" + ToPascal(name[Prefix.Length..])] = entry.Value as string;
            }
        }

        var source = new MemoryConfigurationSource { InitialData = settings };
        var commandLine = configuration.Sources.ToList().FindIndex(s => s is CommandLineConfigurationSource);
        if (commandLine >= 0)
        {
            configuration.Sources.Insert(commandLine, source);
        }
        else
        {
            configuration.Sources.Add(source);
        }
    }

    /// <summary>"LOG_CAP_BYTES" → "LogCapBytes".</summary>
    public static string ToPascal(string snake)
    {
        var sb = new StringBuilder(snake.Length);
        foreach (var part in snake.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            sb.Append(char.ToUpperInvariant(part[0])).Append(part[1..].ToLowerInvariant());
        }

        return sb.ToString();
    }
}
