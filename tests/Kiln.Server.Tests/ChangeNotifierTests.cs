using Kiln.Server.Infrastructure;

namespace Kiln.Server.Tests;

public sealed class ChangeNotifierTests
{
    [Fact]
    public void A_waiter_taken_before_Notify_completes_and_one_taken_after_does_not()
    {
        var notifier = new ChangeNotifier();
        var before = notifier.Waiter(ChangeNotifier.Work);
        var sameTopic = notifier.Waiter(ChangeNotifier.Work);

        notifier.Notify(ChangeNotifier.Work);
        var after = notifier.Waiter(ChangeNotifier.Work);

        Assert.True(before.IsCompletedSuccessfully);
        Assert.True(sameTopic.IsCompletedSuccessfully);
        Assert.False(after.IsCompleted);
    }

    [Fact]
    public void Topics_are_independent()
    {
        var notifier = new ChangeNotifier();
        var job = notifier.Waiter(ChangeNotifier.Job(1));
        var otherJob = notifier.Waiter(ChangeNotifier.Job(2));
        var cancel = notifier.Waiter(ChangeNotifier.Cancel(1));
        var build = notifier.Waiter(ChangeNotifier.Build(1));

        notifier.Notify(ChangeNotifier.Job(1));

        Assert.True(job.IsCompleted);
        Assert.False(otherJob.IsCompleted);
        Assert.False(cancel.IsCompleted);
        Assert.False(build.IsCompleted);
    }

    [Fact]
    public async Task WaitAsync_is_true_when_woken_and_false_after_the_timeout()
    {
        var notifier = new ChangeNotifier();
        var waiter = notifier.Waiter(ChangeNotifier.Build(7));
        var waiting = ChangeNotifier.WaitAsync(waiter, TimeSpan.FromSeconds(30), CancellationToken.None);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        notifier.Notify(ChangeNotifier.Build(7));

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(await ChangeNotifier.WaitAsync(notifier.Waiter(ChangeNotifier.Build(7)), TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"timed out after only {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task WaitAsync_ends_with_cancellation_when_its_token_is_canceled()
    {
        var notifier = new ChangeNotifier();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ChangeNotifier.WaitAsync(notifier.Waiter("t"), TimeSpan.FromSeconds(30), cts.Token));
    }

    [Fact]
    public void Notify_tells_the_other_servers_and_NotifyLocal_does_not()
    {
        var published = new List<string>();
        var notifier = new ChangeNotifier(new RecordingPublisher(published));
        var local = notifier.Waiter(ChangeNotifier.Job(1));
        var other = notifier.Waiter(ChangeNotifier.Job(2));

        notifier.Notify(ChangeNotifier.Work);
        notifier.NotifyLocal(ChangeNotifier.Job(1));

        Assert.Equal([ChangeNotifier.Work], published);
        Assert.True(local.IsCompletedSuccessfully);
        Assert.False(other.IsCompleted);

        notifier.NotifyAllLocal();
        Assert.True(other.IsCompletedSuccessfully);
        Assert.Equal([ChangeNotifier.Work], published);
    }

    private sealed class RecordingPublisher(List<string> published) : IChangePublisher
    {
        public void Publish(string topic) => published.Add(topic);
    }
}
