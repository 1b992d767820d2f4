//! Product views, recorded off the request path: a handler hands the view to a bounded queue and answers at once;
//! one task writes what has queued up in batches (one write for up to [`BATCH`] views). When the database cannot keep
//! up and the queue is full, further views are counted as dropped and logged, never waited for: a page view must
//! not slow a shopper down or grow memory without bound. At shutdown, [`ViewRecorder::close`] writes what is still
//! queued before the process exits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nite_core::analytics::AnalyticsEvent;
use nite_core::services::CatalogService;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use crate::shared::{Shared, SharedStatus};

/// The most views one write records.
pub(crate) const BATCH: usize = 512;
/// The most views waiting to be written.
const QUEUE: usize = 16_384;

/// The queue of views waiting to be written, and the count of those dropped because it was full.
pub(crate) struct ViewRecorder {
    queue: mpsc::Sender<AnalyticsEvent>,
    dropped: Arc<AtomicU64>,
    stop: Arc<Notify>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl ViewRecorder {
    /// Starts the writer task on the current runtime. With `shared`, a view is written only if no process has
    /// written the same visitor's view of the same product within `window` (the per-process gate saw it first).
    pub(crate) fn start(catalog: CatalogService, shared: Arc<Shared>, window: Duration) -> ViewRecorder {
        let (queue, mut waiting) = mpsc::channel::<AnalyticsEvent>(QUEUE);
        let stop = Arc::new(Notify::new());
        let stopping = Arc::clone(&stop);
        let writer = tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            loop {
                tokio::select! {
                    received = waiting.recv_many(&mut batch, BATCH) => {
                        if received == 0 {
                            return;
                        }
                        write(&catalog, &shared, window, &mut batch).await;
                    }
                    () = stopping.notified() => {
                        // No more views are taken; what is queued is written.
                        waiting.close();
                        while waiting.recv_many(&mut batch, BATCH).await > 0 {
                            write(&catalog, &shared, window, &mut batch).await;
                        }
                        return;
                    }
                }
            }
        });
        ViewRecorder { queue, dropped: Arc::new(AtomicU64::new(0)), stop, writer: Mutex::new(Some(writer)) }
    }

    /// Writes what is queued and stops the writer; views recorded afterwards are dropped.
    pub(crate) async fn close(&self) {
        self.stop.notify_one();
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(writer) = writer {
            let _ = writer.await;
        }
    }

    /// Queues a view; never waits.
    pub(crate) fn record(&self, event: AnalyticsEvent) {
        if self.queue.try_send(event).is_err() {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(dropped, "product views are arriving faster than they can be written; dropping some");
            }
        }
    }
}

async fn write(catalog: &CatalogService, shared: &Shared, window: Duration, batch: &mut Vec<AnalyticsEvent>) {
    if shared.status() != SharedStatus::Off {
        let keys: Vec<String> = batch
            .iter()
            .map(|event| {
                let visitor = event.visitor.as_deref().unwrap_or("-");
                format!("view:{visitor}|{}", event.product_id.as_ref().map_or("-", nite_core::ProductId::as_str))
            })
            .collect();
        // Redis not answering: every view the per-process gate let through is written.
        if let Some(first) = shared.first_sights(&keys, window).await {
            let mut first = first.into_iter();
            batch.retain(|_| first.next().unwrap_or(true));
        }
    }
    if batch.is_empty() {
        return;
    }
    if let Err(error) = catalog.record_events(batch).await {
        tracing::warn!(error = %error, views = batch.len(), "recording product views failed");
    }
    batch.clear();
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use async_trait::async_trait;
    use nite_core::analytics::{AnalyticsEvent, EventKind};
    use nite_core::ports::{AnalyticsStore, Stores};
    use nite_core::testing::InMemoryStore;
    use time::OffsetDateTime;

    use super::*;

    /// An analytics store that takes its time over every write.
    struct Slow(Arc<InMemoryStore>);

    #[async_trait]
    impl AnalyticsStore for Slow {
        async fn record_events(&self, events: &[AnalyticsEvent]) -> nite_core::Result<()> {
            tokio::time::sleep(Duration::from_millis(30)).await;
            self.0.record_events(events).await
        }

        async fn events(
            &self,
            from: OffsetDateTime,
            to: OffsetDateTime,
            kinds: &[EventKind],
        ) -> nite_core::Result<Vec<AnalyticsEvent>> {
            self.0.events(from, to, kinds).await
        }
    }

    #[tokio::test]
    async fn closing_writes_every_queued_view_in_batches() {
        let memory = Arc::new(InMemoryStore::new());
        let mut stores = Stores::from_store(memory.clone());
        stores.analytics = Arc::new(Slow(memory.clone()));
        let shop = nite_shop::niteputter::builder(stores, "http://127.0.0.1:8080")
            .email_sender(Arc::new(nite_email::FileEmailSender::new(std::env::temp_dir()).unwrap()))
            .build()
            .unwrap();
        let recorder = ViewRecorder::start(shop.catalog.clone(), Arc::new(Shared::off()), Duration::from_secs(60));
        let product = nite_core::ProductId::parse("prod_pro").unwrap();
        for _ in 0..(3 * BATCH) {
            recorder.record(shop.catalog.view_event(&product, None));
        }
        recorder.close().await;
        let all = memory
            .events(
                OffsetDateTime::UNIX_EPOCH,
                OffsetDateTime::now_utc() + time::Duration::hours(1),
                &[EventKind::ProductView],
            )
            .await;
        assert_eq!(all.unwrap().len(), 3 * BATCH, "nothing queued is lost at shutdown");
        recorder.record(shop.catalog.view_event(&product, None));
        assert_eq!(recorder.dropped.load(Ordering::Relaxed), 1, "after closing, views are dropped and counted");
    }
}
