using StructuredLog.Pipeline;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// The ring's claim is biased to the first thread that claims (no locked instruction while it is the only one), and the
/// first claim by another thread revokes that for good (RingBuffer.TryClaim). A claim made on the owner's path while
/// another thread claims with a compare-and-swap would hand out one position twice: these tests look for exactly that.
/// </summary>
public sealed class RingBiasTests
{
    [Fact]
    public void The_first_thread_to_claim_owns_the_ring_until_another_thread_claims()
    {
        var ring = new RingBuffer(64);
        Assert.Null(ring.Owner);
        for (long expected = 0; expected < 3; expected++)
        {
            Assert.True(ring.TryClaim(Thread.CurrentThread, out long position));
            Assert.Equal(expected, position);
        }
        Assert.Same(Thread.CurrentThread, ring.Owner);
        Assert.False(ring.BiasRevoked);

        long other = -1;
        var thread = new Thread(() => Assert.True(ring.TryClaim(Thread.CurrentThread, out other)));
        thread.Start();
        thread.Join();
        Assert.Equal(3, other);
        Assert.True(ring.BiasRevoked);
        Assert.Null(ring.Owner);

        // The former owner claims like everyone else from here on.
        Assert.True(ring.TryClaim(Thread.CurrentThread, out long next));
        Assert.Equal(4, next);
        Assert.Equal(5, ring.EnqueuePosition);
    }

    [Fact]
    public void The_owner_is_told_when_the_ring_is_full()
    {
        var ring = new RingBuffer(4);
        for (int i = 0; i < 4; i++) Assert.True(ring.TryClaim(Thread.CurrentThread, out _));
        Assert.False(ring.TryClaim(Thread.CurrentThread, out _));
        Assert.Equal(4, ring.EnqueuePosition);
        ring.Publish(0);
        Assert.True(ring.TryPeek(out long first));
        ring.Release(first);
        Assert.True(ring.TryClaim(Thread.CurrentThread, out long position));
        Assert.Equal(4, position);
    }

    [Theory]
    [InlineData(1, 5_000)]
    [InlineData(2, 1_500)]
    public void Claims_racing_the_revocation_never_share_a_position(int others, int trials)
    {
        // Over many fresh rings, a thread kept for the whole test claims in a tight loop (it becomes each ring's owner), and
        // the test's thread starts claiming after a varying number of the owner's claims, so that it revokes the bias in
        // the middle of them; with two others, one more kept thread claims as soon as that revocation has begun, and must
        // wait for it to end. Every position of a ring must be handed out once. The rings are larger than all the
        // threads' claims, so no cell is reused.
        const int perThread = 100;
        var owner = new long[perThread];
        var other = new long[perThread];
        var second = new long[perThread];
        RingBuffer? ring = null;
        int generation = 0, ownerDone = 0, secondDone = 0, ownerClaims = 0;
        string? failure = null;
        var ownerThread = new Thread(() =>
        {
            for (int g = 1; g <= trials; g++)
            {
                while (Volatile.Read(ref generation) < g) Thread.Yield();
                var r = ring!;
                for (int i = 0; i < perThread; i++)
                {
                    if (!r.TryClaim(Thread.CurrentThread, out owner[i])) failure ??= "the owner found the ring full";
                    Volatile.Write(ref ownerClaims, i + 1);
                }
                Volatile.Write(ref ownerDone, g);
            }
        }) { IsBackground = true };
        var secondThread = new Thread(() =>
        {
            for (int g = 1; g <= trials; g++)
            {
                while (Volatile.Read(ref generation) < g) Thread.Yield();
                var r = ring!;
                // Claims as soon as the test's thread has begun to revoke: while that one is still waiting for the owner.
                while (!r.RevocationStarted) Thread.SpinWait(1);
                for (int i = 0; i < perThread; i++)
                    if (!r.TryClaim(Thread.CurrentThread, out second[i])) failure ??= "the second thread found the ring full";
                Volatile.Write(ref secondDone, g);
            }
        }) { IsBackground = true };
        ownerThread.Start();
        if (others == 2) secondThread.Start();
        var seen = new int[(1 + others) * perThread];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (int g = 1; g <= trials; g++)
        {
            ring = new RingBuffer(512);
            Volatile.Write(ref ownerClaims, 0);
            Volatile.Write(ref generation, g);
            while (Volatile.Read(ref ownerClaims) < 1 + g % 48) Assert.True(DateTime.UtcNow < deadline, $"trial {g}: the owner did not start");
            for (int i = 0; i < perThread; i++) Assert.True(ring.TryClaim(Thread.CurrentThread, out other[i]));
            while (Volatile.Read(ref ownerDone) < g || (others == 2 && Volatile.Read(ref secondDone) < g))
            {
                Assert.True(DateTime.UtcNow < deadline, $"trial {g}: a thread did not finish");
                Thread.Yield();
            }
            Assert.Null(failure);
            Assert.True(ring.BiasRevoked, $"trial {g}: the bias was not revoked");
            Array.Clear(seen);
            foreach (long p in owner) seen[p]++;
            foreach (long p in other) seen[p]++;
            if (others == 2) foreach (long p in second) seen[p]++;
            for (int p = 0; p < seen.Length; p++) Assert.True(seen[p] == 1, $"trial {g}: position {p} handed out {seen[p]} times");
            for (int i = 1; i < perThread; i++)
            {
                Assert.True(owner[i] > owner[i - 1], $"trial {g}: the owner's positions went back");
                Assert.True(other[i] > other[i - 1], $"trial {g}: the test thread's positions went back");
            }
        }
    }

    [Fact]
    public async Task Threads_that_join_a_thread_the_ring_is_biased_to_lose_and_repeat_nothing()
    {
        // Producer 0 logs alone first (the ring is biased to it), keeps logging while three more threads start, and every
        // event of all four must arrive once, in each thread's order.
        const int producers = 4, perProducer = 100_000;
        var sink = new CountingSink(producers);
        var pipeline = new LogPipelineBuilder().BufferSize(1_024).WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Bias");
        int progress = 0;
        var first = new Thread(() =>
        {
            for (int s = 0; s < perProducer; s++)
            {
                log.Info("{Producer} {Seq}", 0, s);
                if (s == 1_000) Volatile.Write(ref progress, 1);
            }
        }) { IsBackground = true };
        first.Start();
        while (Volatile.Read(ref progress) == 0) Thread.Yield();
        Assert.False(pipeline.Ring.BiasRevoked);
        var others = Enumerable.Range(1, producers - 1).Select(p => new Thread(() =>
        {
            for (int s = 0; s < perProducer; s++) log.Info("{Producer} {Seq}", p, s);
        }) { IsBackground = true }).ToList();
        others.ForEach(t => t.Start());
        // Bounded: a position handed out twice leaves another never published, and the writer would wait for it forever.
        Assert.True(first.Join(TimeSpan.FromSeconds(60)), "the first producer did not finish");
        Assert.All(others, t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a producer did not finish"));
        await pipeline.DisposeAsync();

        Assert.True(pipeline.Ring.BiasRevoked);
        Assert.Equal(0, sink.OrderViolations);
        Assert.Equal((long)producers * perProducer, sink.Total);
        for (int p = 0; p < producers; p++) Assert.Equal(perProducer, sink.NextExpected(p));
        Assert.Equal(0, pipeline.EventsLost);
    }
}
