using System.Collections;
using Kiln.Server.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Kiln.Server.Tests;

public sealed class KilnEnvironmentTests
{
    [Theory]
    [InlineData("LOG_CAP_BYTES", "LogCapBytes")]
    [InlineData("DATA", "Data")]
    [InlineData("BOOTSTRAP_ADMIN_TOKEN", "BootstrapAdminToken")]
    [InlineData("LEASE__SECONDS_", "LeaseSeconds")]
    [InlineData("reaper_interval_seconds", "ReaperIntervalSeconds")]
    public void ToPascal_turns_screaming_snake_case_into_a_setting_name(string snake, string pascal) =>
        Assert.Equal(pascal, KilnEnvironment.ToPascal(snake));

    [Fact]
    public void KILN_variables_become_Kiln_settings_and_other_variables_do_not()
    {
        var configuration = new ConfigurationBuilder();
        KilnEnvironment.AddTo(configuration, new Hashtable
        {
            ["KILN_LOG_CAP_BYTES"] = "4096",
            ["KILN_LEASE_SECONDS"] = "12",
            ["KILN_"] = "ignored",
            ["PATH_KILN_DATA"] = "ignored",
            ["kiln_data"] = "ignored: the prefix is upper case",
        });

        var settings = configuration.Build();

        Assert.Equal("4096", settings["Kiln:LogCapBytes"]);
        Assert.Equal("12", settings["Kiln:LeaseSeconds"]);
        Assert.Null(settings["Kiln:Data"]);
        Assert.Equal(2, settings.GetSection("Kiln").GetChildren().Count());
    }

    [Fact]
    public void Command_line_arguments_win_over_KILN_variables_which_win_over_earlier_sources()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Kiln:LogCapBytes"] = "1024", ["Kiln:Data"] = "/from/appsettings", ["Kiln:LeaseSeconds"] = "5" })
            .AddCommandLine(["--Kiln:LogCapBytes=2048"]);
        KilnEnvironment.AddTo(configuration, new Hashtable { ["KILN_LOG_CAP_BYTES"] = "4096", ["KILN_DATA"] = "/from/env" });

        var settings = configuration.Build();

        Assert.Equal("2048", settings["Kiln:LogCapBytes"]);
        Assert.Equal("/from/env", settings["Kiln:Data"]);
        Assert.Equal("5", settings["Kiln:LeaseSeconds"]);
    }

    [Fact]
    public void Without_a_command_line_the_variables_come_last_and_win()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Kiln:LogCapBytes"] = "1024" });
        KilnEnvironment.AddTo(configuration, new Hashtable { ["KILN_LOG_CAP_BYTES"] = "4096" });

        Assert.Equal("4096", configuration.Build()["Kiln:LogCapBytes"]);
    }

    [Fact]
    public async Task The_server_host_binds_command_line_settings_to_its_options()
    {
        var dataDir = KilnTestServer.NewDataDir();
        var app = KilnTestServer.Build(dataDir, "--Kiln:LeaseSeconds=7", "--Kiln:LogCapBytes=65536");
        try
        {
            var options = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Microsoft.Extensions.Options.IOptions<KilnServerOptions>>(app.Services).Value;
            Assert.Equal((dataDir, 7, 65536L), (options.Data, options.LeaseSeconds, options.LogCapBytes));
        }
        finally
        {
            await app.DisposeAsync();
            KilnTestServer.DeleteDataDir(dataDir);
        }
    }
}
