//! Business rules as plain functions over the store interface, unit-tested without HTTP.

pub mod auth;
pub mod jpki;
pub mod shelters;
