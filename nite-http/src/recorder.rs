//! Product views, recorded off the request path: a handler hands the view to a bounded queue and answers at once;
//! one task writes what has queued up in batches (one write for up to [`BATCH`] views). When the database cannot keep
//! up and the queue is full, further views are counted as dropped and logged, never waited for: a page view must
//! not slow a shopper down or grow memory without bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use nite_core::analytics::AnalyticsEvent;
use nite_core::services::CatalogService;
use tokio::sync::mpsc;

/// The most views one write records.
pub(crate) const BATCH: usize = 512;
/// The most views waiting to be written.
const QUEUE: usize = 16_384;

/// The queue of views waiting to be written, and the count of those dropped because it was full.
pub(crate) struct ViewRecorder {
    queue: mpsc::Sender<AnalyticsEvent>,
    dropped: Arc<AtomicU64>,
}

impl ViewRecorder {
    /// Starts the writer task on the current runtime.
    pub(crate) fn start(catalog: CatalogService) -> ViewRecorder {
        let (queue, mut waiting) = mpsc::channel::<AnalyticsEvent>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while waiting.recv_many(&mut batch, BATCH).await > 0 {
                if let Err(error) = catalog.record_events(&batch).await {
                    tracing::warn!(error = %error, views = batch.len(), "recording product views failed");
                }
                batch.clear();
            }
        });
        ViewRecorder { queue, dropped: Arc::new(AtomicU64::new(0)) }
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
