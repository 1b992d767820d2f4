//! Checks on the benchmark inputs that are not about time: how many allocations pricing makes.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

mod allocations;
