//! Types shared by the PWA (compiled to wasm) and the functions: DTOs, newtypes
//! and the validation rules both sides apply, so the app shows the same message
//! the server would before anything is sent.

pub mod audit;
pub mod auth;
pub mod checkin;
pub mod consent;
pub mod desk;
pub mod geo;
pub mod household;
pub mod hq;
pub mod ids;
pub mod incident;
#[cfg(feature = "jws")]
pub mod jws;
pub mod localized;
pub mod made;
pub mod needs;
pub mod notices;
pub mod problem;
pub mod roster;
pub mod safety;
pub mod scan_preview;
pub mod scan_queue;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod shelter;
pub mod shelter_import;
pub mod staff;
pub mod supplies;
pub mod surveys;
pub mod time;
pub mod typed;
pub mod wareki;
pub mod whole;

pub use geo::GeoPoint;
pub use ids::{IdError, MunicipalityCode, ShelterId};
pub use problem::Problem;
pub use shelter::{Congestion, Facility, Shelter, ShelterStatus, ShelterStatusUpdate};
pub use time::Timestamp;

/// `GET /api/health` response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// "ok" when the store answered.
    pub status: String,
    /// Which store backend serves this API ("embedded" or "dynamodb").
    pub store: String,
    pub version: String,
}
