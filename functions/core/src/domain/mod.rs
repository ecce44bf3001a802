//! Business rules as plain functions over the store interface, unit-tested without HTTP.

pub mod auth;
/// Card certificate checks live in their own I/O-free crate (also fuzzed).
pub use bosai_jpki as jpki;
pub mod shelters;
pub mod surveys;
