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

    [Fact]
    public async Task Waits_that_time_out_leave_no_entry_behind()
    {
        var notifier = new ChangeNotifier();
        var waits = new[] { ChangeNotifier.Cancel(1), ChangeNotifier.Cancel(1), ChangeNotifier.Cancel(2), ChangeNotifier.Job(3) }
            .Select(topic => ChangeNotifier.WaitAsync(notifier.Waiter(topic), TimeSpan.FromMilliseconds(20), CancellationToken.None))
            .ToList();
        Assert.Equal(3, notifier.WaitingTopics);

        Assert.All(await Task.WhenAll(waits), Assert.False);
        Assert.Equal(0, notifier.WaitingTopics);
    }

    [Fact]
    public async Task Waits_that_are_canceled_leave_no_entry_behind()
    {
        var notifier = new ChangeNotifier();
        using var cts = new CancellationTokenSource();
        var waits = Enumerable.Range(0, 5)
            .Select(i => ChangeNotifier.WaitAsync(notifier.Waiter(ChangeNotifier.Cancel(i % 2)), TimeSpan.FromSeconds(30), cts.Token))
            .ToList();
        Assert.Equal(2, notifier.WaitingTopics);

        await cts.CancelAsync();

        foreach (var wait in waits)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        }

        Assert.Equal(0, notifier.WaitingTopics);
    }

    [Fact]
    public async Task A_waiter_that_gives_up_leaves_the_topic_to_the_others_which_Notify_still_wakes()
    {
        var notifier = new ChangeNotifier();
        var quitter = notifier.Waiter(ChangeNotifier.Build(1));
        var patient = ChangeNotifier.WaitAsync(notifier.Waiter(ChangeNotifier.Build(1)), TimeSpan.FromSeconds(30), CancellationToken.None);
        var released = notifier.Waiter(ChangeNotifier.Build(1));

        Assert.False(await ChangeNotifier.WaitAsync(quitter, TimeSpan.FromMilliseconds(10), CancellationToken.None));
        ChangeNotifier.Release(released);
        Assert.Equal(1, notifier.WaitingTopics);

        notifier.Notify(ChangeNotifier.Build(1));

        Assert.True(await patient.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, notifier.WaitingTopics);
    }

    [Fact]
    public async Task A_notify_between_taking_the_waiter_and_awaiting_it_still_wakes()
    {
        var notifier = new ChangeNotifier();
        var first = notifier.Waiter(ChangeNotifier.Cancel(9));
        var second = notifier.Waiter(ChangeNotifier.Cancel(9));

        // The database read happens here; the cancel is committed and notified before anyone awaits.
        notifier.Notify(ChangeNotifier.Cancel(9));
        var next = notifier.Waiter(ChangeNotifier.Cancel(9));

        Assert.True(await ChangeNotifier.WaitAsync(first, TimeSpan.FromSeconds(30), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await ChangeNotifier.WaitAsync(second, TimeSpan.FromSeconds(30), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        // The woken waiters gave back the old entry, not the one taken after the notify.
        Assert.Equal(1, notifier.WaitingTopics);
        notifier.Notify(ChangeNotifier.Cancel(9));
        Assert.True(next.IsCompletedSuccessfully);
        Assert.Equal(0, notifier.WaitingTopics);
    }

    [Fact]
    public void NotifyAllLocal_wakes_every_topic_and_empties_the_table()
    {
        var notifier = new ChangeNotifier();
        var waiters = new[] { notifier.Waiter(ChangeNotifier.Work), notifier.Waiter(ChangeNotifier.Job(1)), notifier.Waiter(ChangeNotifier.Cancel(1)) };

        notifier.NotifyAllLocal();

        Assert.All(waiters, w => Assert.True(w.IsCompletedSuccessfully));
        Assert.Equal(0, notifier.WaitingTopics);
    }

    private sealed class RecordingPublisher(List<string> published) : IChangePublisher
    {
        public void Publish(string topic) => published.Add(topic);
    }
}
