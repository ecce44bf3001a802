//! Property tests (proptest) of the rules that must hold under any order of events: counters,
//! check-in, incident lifecycle, the offline scan queue. One binary; regressions are kept beside
//! each file (`*.proptest-regressions`).

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod aggregate_props;
mod checkin_props;
mod lifecycle_props;
mod queue_props;
