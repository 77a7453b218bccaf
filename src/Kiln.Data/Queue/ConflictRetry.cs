using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Queue;

/// <summary>Runs a read-modify-write transaction again when rows it changed were changed by someone else
/// first: the next try reads the newer state. A conflict is a failed EF Core concurrency check (job
/// status is a concurrency token), a <see cref="ConcurrentChangeException"/> from the queue's own SQL,
/// or a deadlock or serialization failure reported by the database. On SQLite writers are serialized
/// and this never fires; on PostgreSQL a lease can claim a job between a cancel's read and its write,
/// and a cancel and a completion of the same build can cross.</summary>
public static class ConflictRetry
{
    private const int Tries = 3;

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> transaction, Action beforeRetry, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await transaction(cancellationToken);
            }
            catch (Exception e) when (attempt < Tries && IsConflict(e))
            {
                beforeRetry();
            }
        }
    }

    private static bool IsConflict(Exception e) =>
        e is DbUpdateConcurrencyException or ConcurrentChangeException
        || (e as DbException ?? e.InnerException as DbException) is { SqlState: "40P01" or "40001" };
}

/// <summary>Rows a transaction meant to change were changed by another one since it read them; the
/// transaction is rolled back and may be run again (<see cref="ConflictRetry"/>).</summary>
public sealed class ConcurrentChangeException(string message) : Exception(message);
