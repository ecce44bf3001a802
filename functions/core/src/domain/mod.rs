//! Business rules as plain functions over the store interface, unit-tested without HTTP.

pub mod shelters;
