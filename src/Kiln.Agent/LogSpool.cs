using System.Text;
using Kiln.Contracts.AgentProtocol;

namespace Kiln.Agent;

/// <summary>Where <see cref="LogShipper"/> puts sealed log chunks that do not fit its in-memory queue
/// (the server is down or slow): one file per chunk, <c>NNNNNNNNNN.chunk</c> named by sequence, in a
/// folder of the job's own (<c>WORK/spool/job-ID</c>). The total is capped; a file is deleted once its
/// chunk is stored, and the whole folder when the shipper is disposed. Nothing here needs to survive
/// an agent crash: a dead agent's job is lost anyway, so files are not synced.
/// Reservations are thread-safe; the shipper writes from one writer and reads from one sender.</summary>
internal sealed class LogSpool
{
    private const int Magic = 0x434E4C4B; // "KLNC"
    private const byte Version = 1;

    private readonly string _directory;
    private readonly long _capBytes;
    private long _bytes;
    private int _count;

    public LogSpool(string directory, long capBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capBytes);
        _directory = directory;
        _capBytes = capBytes;
        // A folder left by an earlier run of this job id holds nothing worth sending.
        DeleteAll();
    }

    public string Directory => _directory;

    /// <summary>Bytes on disk now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Chunks on disk now (written, not yet stored by the server).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Writes <paramref name="chunk"/> to its own file, unless that would take the spool past its
    /// cap; returns the file's path and size, or null when it does not fit. I/O errors propagate (no file is left).</summary>
    public async Task<(string Path, long Bytes)?> TryWriteAsync(LogChunkUpload chunk, CancellationToken cancellationToken)
    {
        var bytes = Serialize(chunk);
        if (Interlocked.Add(ref _bytes, bytes.Length) > _capBytes)
        {
            Interlocked.Add(ref _bytes, -bytes.Length);
            return null;
        }

        var path = Path.Combine(_directory, $"{chunk.Sequence:D10}.chunk");
        try
        {
            System.IO.Directory.CreateDirectory(_directory);
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
        }
        catch
        {
            Interlocked.Add(ref _bytes, -bytes.Length);
            TryDelete(path);
            throw;
        }

        Interlocked.Increment(ref _count);
        return (path, bytes.Length);
    }

    /// <summary>Reads a chunk written by <see cref="TryWriteAsync"/>; the lease is not stored, the caller knows it.</summary>
    public static async Task<LogChunkUpload> ReadAsync(string path, string lease, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        if (reader.ReadInt32() != Magic || reader.ReadByte() != Version)
        {
            throw new InvalidDataException($"{path} is not a spooled log chunk");
        }

        var sequence = reader.ReadInt64();
        var lineCount = reader.ReadInt32();
        var timeCount = reader.ReadInt32();
        var times = new List<LineTime>(timeCount);
        for (var i = 0; i < timeCount; i++)
        {
            times.Add(new LineTime(reader.ReadInt32(), reader.ReadInt64()));
        }

        var text = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadInt32()));
        return new LogChunkUpload(lease, sequence, text, lineCount, times);
    }

    /// <summary>The chunk in <paramref name="path"/> is stored: its file goes, and its bytes are free again.</summary>
    public void Release(string path, long bytes)
    {
        TryDelete(path);
        Interlocked.Add(ref _bytes, -bytes);
        Interlocked.Decrement(ref _count);
    }

    /// <summary>Removes the folder with whatever is still in it.</summary>
    public void DeleteAll()
    {
        try
        {
            if (System.IO.Directory.Exists(_directory))
            {
                System.IO.Directory.Delete(_directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a folder that could not go now is only disk space, not a wrong log.
        }
    }

    private static byte[] Serialize(LogChunkUpload chunk)
    {
        var text = Encoding.UTF8.GetBytes(chunk.Text);
        using var buffer = new MemoryStream(text.Length + 32 + (chunk.Times.Count * 12));
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(chunk.Sequence);
            writer.Write(chunk.LineCount);
            writer.Write(chunk.Times.Count);
            foreach (var time in chunk.Times)
            {
                writer.Write(time.Line);
                writer.Write(time.UnixMs);
            }

            writer.Write(text.Length);
            writer.Write(text);
        }

        return buffer.ToArray();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort; DeleteAll removes the folder at the end of the job.
        }
    }
}
