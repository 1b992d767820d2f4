//! `AnalyticsStore`: recorded events, read back for reports.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::analytics::{AnalyticsEvent, EventKind};
use crate::error::Result;

/// Analytics events.
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Records events.
    async fn record_events(&self, events: &[AnalyticsEvent]) -> Result<()>;

    /// Events of these kinds in `[from, to)`, oldest first.
    async fn events(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        kinds: &[EventKind],
    ) -> Result<Vec<AnalyticsEvent>>;
}
