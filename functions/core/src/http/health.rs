use super::AppState;
use crate::{keys, ApiError};
use axum::extract::State;
use axum::Json;
use bosai_types::Health;

/// Liveness plus one cheap store read, so a broken store shows as 503.
#[utoipa::path(get, path = "/health", tag = "ops",
    responses((status = 200, body = Health), (status = 503, body = bosai_types::Problem)))]
pub async fn health(State(st): State<AppState>) -> Result<Json<Health>, ApiError> {
    st.store.get(&keys::municipality(&st.config.municipality)).await?;
    Ok(Json(Health {
        status: "ok".into(),
        store: st.store.backend().into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

super::routes::operations!(health);
