//! [`QueuedAnalytics`]: analytics events written off the request path, several to a statement.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use nite_core::analytics::{AnalyticsEvent, EventKind};
use nite_core::ports::AnalyticsStore;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

/// How long the writer gathers events after the first one comes, before it writes them.
const GATHER: Duration = Duration::from_millis(25);
/// The most events one write takes.
const BATCH: usize = 512;
/// The most recordings (of one event or several) waiting for the writer.
const QUEUE: usize = 8_192;

/// An [`AnalyticsStore`] that takes events at once and has one task write them in batches: what comes within
/// 25 ms goes in one write. An add to cart (the one analytics event a shopper's request records itself) then costs
/// the request no statement, and a busy shop a few writes a second instead of one per event.
///
/// What it gives up, as product views already did: an event is written up to 25 ms after it was recorded, and lost
/// if the process dies in between (a clean shutdown calls [`AnalyticsStore::flush`], and the server does); when
/// the store cannot keep up and 8,192 recordings wait, further ones are dropped and logged, never waited for.
/// Reads ([`AnalyticsStore::events`]) write what is waiting first, so they see every event recorded before. Events
/// that must be exact (purchases, payments, refunds) are not recorded here: the order store writes them in the
/// order's own transaction.
pub struct QueuedAnalytics {
    inner: Arc<dyn AnalyticsStore>,
    /// Started with the first event, on the runtime that records it.
    queue: OnceLock<mpsc::Sender<Job>>,
    dropped: AtomicU64,
}

enum Job {
    Record(Vec<AnalyticsEvent>),
    /// Answered once every event recorded before is written.
    Flush(oneshot::Sender<()>),
}

impl QueuedAnalytics {
    /// Queues events for `inner`.
    pub fn new(inner: Arc<dyn AnalyticsStore>) -> QueuedAnalytics {
        QueuedAnalytics { inner, queue: OnceLock::new(), dropped: AtomicU64::new(0) }
    }

    /// The queue, its writer started on the current tokio runtime; `None` outside one (the events are then written
    /// at once).
    fn queue(&self) -> Option<&mpsc::Sender<Job>> {
        if let Some(queue) = self.queue.get() {
            return Some(queue);
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        Some(self.queue.get_or_init(|| {
            let (queue, waiting) = mpsc::channel(QUEUE);
            runtime.spawn(write(Arc::clone(&self.inner), waiting));
            queue
        }))
    }
}

#[async_trait]
impl AnalyticsStore for QueuedAnalytics {
    async fn record_events(&self, events: &[AnalyticsEvent]) -> nite_core::Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let Some(queue) = self.queue() else { return self.inner.record_events(events).await };
        match queue.try_send(Job::Record(events.to_vec())) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if dropped.is_power_of_two() {
                    tracing::warn!(
                        dropped,
                        "analytics events are arriving faster than they can be written; dropping some"
                    );
                }
                Ok(())
            }
            // The writer's runtime is gone (a test's, say): write directly.
            Err(mpsc::error::TrySendError::Closed(_)) => self.inner.record_events(events).await,
        }
    }

    async fn flush(&self) -> nite_core::Result<()> {
        if let Some(queue) = self.queue.get() {
            let (done, written) = oneshot::channel();
            if queue.send(Job::Flush(done)).await.is_ok() {
                // An error means the writer is gone: there is nothing it could still write.
                let _ = written.await;
            }
        }
        self.inner.flush().await
    }

    async fn events(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        kinds: &[EventKind],
    ) -> nite_core::Result<Vec<AnalyticsEvent>> {
        self.flush().await?;
        self.inner.events(from, to, kinds).await
    }
}

/// The writer: gathers for [`GATHER`] after each first event (less if a flush asks), then writes. The queue is first
/// in, first out, so what was recorded before a flush is written before the flush is answered.
async fn write(inner: Arc<dyn AnalyticsStore>, mut waiting: mpsc::Receiver<Job>) {
    let mut events = Vec::with_capacity(BATCH);
    let mut flushes = Vec::new();
    let take = |job: Job, events: &mut Vec<AnalyticsEvent>, flushes: &mut Vec<oneshot::Sender<()>>| match job {
        Job::Record(mut more) => events.append(&mut more),
        Job::Flush(done) => flushes.push(done),
    };
    while let Some(job) = waiting.recv().await {
        take(job, &mut events, &mut flushes);
        let deadline = tokio::time::Instant::now() + GATHER;
        while flushes.is_empty() && events.len() < BATCH {
            match tokio::time::timeout_at(deadline, waiting.recv()).await {
                Ok(Some(job)) => take(job, &mut events, &mut flushes),
                Ok(None) | Err(_) => break,
            }
        }
        for chunk in events.chunks(BATCH) {
            if let Err(error) = inner.record_events(chunk).await {
                tracing::warn!(error = %error, events = chunk.len(), "recording analytics events failed");
            }
        }
        events.clear();
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use nite_core::ports::Stores;
    use nite_core::testing::InMemoryStore;

    use super::*;

    /// An analytics store that counts its writes and holds each until `open` lets it through.
    struct Gated {
        inner: InMemoryStore,
        writes: AtomicUsize,
        open: tokio::sync::Semaphore,
    }

    impl Gated {
        fn new(open: bool) -> Arc<Gated> {
            let permits = if open { tokio::sync::Semaphore::MAX_PERMITS } else { 0 };
            Arc::new(Gated {
                inner: InMemoryStore::new(),
                writes: AtomicUsize::new(0),
                open: tokio::sync::Semaphore::new(permits),
            })
        }
    }

    #[async_trait]
    impl AnalyticsStore for Gated {
        async fn record_events(&self, events: &[AnalyticsEvent]) -> nite_core::Result<()> {
            let _pass = self.open.acquire().await;
            self.writes.fetch_add(1, Ordering::SeqCst);
            self.inner.record_events(events).await
        }

        async fn events(
            &self,
            from: OffsetDateTime,
            to: OffsetDateTime,
            kinds: &[EventKind],
        ) -> nite_core::Result<Vec<AnalyticsEvent>> {
            self.inner.events(from, to, kinds).await
        }
    }

    fn add_to_cart(n: u32) -> AnalyticsEvent {
        let product = nite_core::ProductId::parse("prod_pro").expect("an id");
        let at = OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(i64::from(n));
        AnalyticsEvent { quantity: n, ..AnalyticsEvent::product(EventKind::AddToCart, product, at) }
    }

    async fn all(store: &dyn AnalyticsStore) -> Vec<AnalyticsEvent> {
        let to = OffsetDateTime::UNIX_EPOCH + time::Duration::days(1);
        store.events(OffsetDateTime::UNIX_EPOCH, to, &[EventKind::AddToCart]).await.expect("events")
    }

    /// The port's contract suite, over the queue.
    #[tokio::test]
    async fn the_queue_keeps_the_analytics_contract() {
        let memory = Arc::new(InMemoryStore::new());
        let mut stores = Stores::from_store(memory.clone());
        stores.analytics = Arc::new(QueuedAnalytics::new(memory));
        nite_core::contract::analytics(&stores).await;
    }

    /// Events recorded by many requests at once are taken at once and written a few to a statement; a read, or a
    /// flush, sees every one of them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn events_recorded_at_once_are_written_together_and_reads_see_them_all() {
        let gated = Gated::new(false);
        let queued = Arc::new(QueuedAnalytics::new(gated.clone()));
        let requests: Vec<_> = (0..200)
            .map(|n| {
                let queued = Arc::clone(&queued);
                tokio::spawn(async move { queued.record_events(&[add_to_cart(n)]).await })
            })
            .collect();
        for request in requests {
            request.await.expect("the task").expect("recorded");
        }
        // Every recording has been answered while the store has written nothing.
        assert_eq!(gated.writes.load(Ordering::SeqCst), 0);
        gated.open.add_permits(tokio::sync::Semaphore::MAX_PERMITS / 2);
        let mut found = all(queued.as_ref()).await;
        found.sort_by_key(|e| e.quantity);
        assert_eq!(found, (0..200).map(add_to_cart).collect::<Vec<_>>());
        let writes = gated.writes.load(Ordering::SeqCst);
        assert!((1..=3).contains(&writes), "200 events took {writes} writes");

        // One more, alone: written within the gathering time, without a read asking.
        queued.record_events(&[add_to_cart(200)]).await.expect("recorded");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while all(&gated.inner).await.len() < 201 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(all(&gated.inner).await.len(), 201);
    }

    /// Outside a tokio runtime (an embedder's own executor) there is no writer to hand events to: they are written
    /// at once.
    #[test]
    fn outside_a_runtime_events_are_written_at_once() {
        let gated = Gated::new(true);
        let queued = QueuedAnalytics::new(gated.clone());
        futures::executor::block_on(queued.record_events(&[add_to_cart(1), add_to_cart(2)])).expect("recorded");
        assert_eq!(gated.writes.load(Ordering::SeqCst), 1);
        assert!(queued.queue.get().is_none());
        assert_eq!(futures::executor::block_on(all(&gated.inner)).len(), 2);
    }

    /// A store that stops answering never holds a request up: once the queue is full, events are dropped and
    /// counted.
    #[tokio::test]
    async fn a_stuck_store_makes_the_queue_drop_events_rather_than_wait() {
        let gated = Gated::new(false);
        let queued = QueuedAnalytics::new(gated.clone());
        let recording = async {
            for n in 0..(QUEUE + 100) {
                queued.record_events(&[add_to_cart(u32::try_from(n).expect("small"))]).await.expect("recorded");
            }
        };
        tokio::time::timeout(Duration::from_secs(10), recording).await.expect("recording never waits");
        let dropped = queued.dropped.load(Ordering::Relaxed);
        // The writer may have taken some off the queue before it got stuck writing them.
        assert!((1..=100).contains(&dropped), "{dropped} dropped");
        gated.open.add_permits(tokio::sync::Semaphore::MAX_PERMITS / 2);
        queued.flush().await.expect("flushed");
        let written = all(&gated.inner).await.len();
        assert_eq!(u64::try_from(written).expect("small") + dropped, u64::try_from(QUEUE + 100).expect("small"));
    }
}
