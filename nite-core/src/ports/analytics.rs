//! `AnalyticsStore`: recorded events, read back for reports.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::analytics::{AnalyticsEvent, EventKind};
use crate::error::Result;

/// Analytics events.
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Records events. A store may take them to write a little later (see [`AnalyticsStore::flush`]).
    async fn record_events(&self, events: &[AnalyticsEvent]) -> Result<()>;

    /// Writes the events this store took but has not written yet; stores that write at once have nothing to do.
    /// [`AnalyticsStore::events`] sees every event recorded through the same store before it was called.
    async fn flush(&self) -> Result<()> {
        Ok(())
    }

    /// Events of these kinds in `[from, to)`, oldest first.
    async fn events(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        kinds: &[EventKind],
    ) -> Result<Vec<AnalyticsEvent>>;
}
