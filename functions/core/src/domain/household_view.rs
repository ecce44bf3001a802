//! The household as the resident's app shows it (`GET /household`): the partition read once,
//! with where each member is checked in and, during a drill, the drill's safety reports.

use crate::domain::{household, location, safety};
use crate::{keys, ApiError};
use bosai_store::Store;
use bosai_types::household::HouseholdView;

/// The household with each member's needs, latest safety report and the shelter they are checked in at.
pub async fn view(store: &dyn Store, sub: &str) -> Result<HouseholdView, ApiError> {
    let mut v = household::view_of(&household::partition(store, sub).await?);
    for m in &mut v.members {
        let id = &m.member.id;
        let here = location::current_anywhere(store, &keys::person_of_resident(sub, id.as_str()), id).await?;
        m.checked_in = here.shelter_id.is_some().then_some(here);
    }
    safety::with_drill_reports(store, sub, &mut v).await?;
    Ok(v)
}
