using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Kiln.Server.Infrastructure;

/// <summary><c>LISTEN kiln</c> on a connection of its own: a topic another server notified wakes the
/// local waiters of that topic (<see cref="ChangeNotifier.NotifyLocal"/>); this server's own
/// notifications are skipped. Every (re)connect wakes all local waiters once, since notifications
/// sent while nobody listened are gone. Idle for 30 s, it checks the connection with a query, so a
/// silently dropped connection is noticed; failures reconnect with backoff (1 s doubling to 30 s).</summary>
public sealed class PostgresChangeListener(
    [FromKeyedServices(PostgresChangeListener.DataSourceKey)] NpgsqlDataSource dataSource, ChangeNotifier notifier, PostgresChangePublisher publisher, TimeProvider time, ILogger<PostgresChangeListener> logger)
    : BackgroundService
{
    /// <summary>The key of the listener's own, unpooled data source (<see cref="Kiln.Data.Postgres.PostgresDatabase.CreateListenDataSource"/>).</summary>
    public const string DataSourceKey = "kiln.listen";

    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);

    /// <summary>Set once the first <c>LISTEN</c> is in place (tests and readiness may wait for it).</summary>
    public Task Listening => _listening.Task;

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresChangePublisher.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                backoff.Reset();
                _listening.TrySetResult();
                notifier.NotifyAllLocal();
                while (true)
                {
                    if (!await connection.WaitAsync(IdleCheck, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteNonQueryAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop must outlive any database failure; it logs and reconnects.
            catch (Exception e)
#pragma warning restore CA1031
            {
                var delay = backoff.Next();
                logger.LogWarning(e, "Listening for wake-ups from other servers failed; reconnecting in {Delay}", delay);
                if (!await Backoff.WaitAsync(delay, time, stoppingToken))
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.PID != publisher.ProcessId)
        {
            notifier.NotifyLocal(e.Payload);
        }
    }
}
