using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Kiln.Server.Infrastructure;

/// <summary>Sends local wake-ups to the other servers as <c>NOTIFY kiln, '&lt;topic&gt;'</c>, from one
/// connection of its own in the background, so <see cref="Publish"/> never waits on the database.
/// Topics queued together go in one round trip, each once. If the connection breaks, the batch in
/// hand is sent again after reconnecting (with backoff); if the queue overflows while the database is
/// away, the oldest topics are dropped — waiters time out and re-read anyway.</summary>
public sealed class PostgresChangePublisher(NpgsqlDataSource dataSource, TimeProvider time, ILogger<PostgresChangePublisher> logger)
    : BackgroundService, IChangePublisher
{
    public const string Channel = "kiln";

    private const int MaxBatch = 256;

    private readonly Channel<string> _topics = System.Threading.Channels.Channel.CreateBounded<string>(
        new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private int _processId;

    /// <summary>The backend process id of the sending connection (0 when none), so the listener can
    /// skip this server's own notifications.</summary>
    public int ProcessId => Volatile.Read(ref _processId);

    public void Publish(string topic) => _topics.Writer.TryWrite(topic);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff();
        var batch = new List<string>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                Volatile.Write(ref _processId, connection.ProcessID);
                backoff.Reset();
                while (true)
                {
                    if (batch.Count == 0)
                    {
                        await _topics.Reader.WaitToReadAsync(stoppingToken);
                        while (batch.Count < MaxBatch && _topics.Reader.TryRead(out var topic))
                        {
                            if (!batch.Contains(topic))
                            {
                                batch.Add(topic);
                            }
                        }
                    }

                    await using var command = new NpgsqlCommand($"SELECT pg_notify('{Channel}', topic) FROM unnest($1::text[]) AS topic", connection);
                    command.Parameters.Add(new NpgsqlParameter { Value = batch.ToArray() });
                    await command.ExecuteNonQueryAsync(stoppingToken);
                    batch.Clear();
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
                Volatile.Write(ref _processId, 0);
                var delay = backoff.Next();
                logger.LogWarning(e, "Sending wake-ups to other servers failed; reconnecting in {Delay}", delay);
                if (!await Backoff.WaitAsync(delay, time, stoppingToken))
                {
                    return;
                }
            }
        }
    }
}
