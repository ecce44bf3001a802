//! API behaviour over HTTP, on the embedded store and on DynamoDB Local (`on_both_stores!`): one
//! test binary with a module per area, so the suite links once (link time dominates on 2 cores).
//! `spawn_app` and the typed helpers are in `../common`.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod admin;
mod auth;
mod authz_matrix;
mod basics;
mod checkin;
mod corrections;
mod erasure;
mod hq;
mod incidents;
mod notices;
mod purge;
mod resident;
mod staff_signin;
mod supplies;
mod surveys;
