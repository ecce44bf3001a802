//! Where a person is checked in now (受付済みの避難所), as check-ins and check-outs
//! left it. Written by [`super::checkin`]; read by the household view and surveys.

use crate::{keys, ApiError};
use bosai_store::{ItemExt, Store};
use bosai_types::checkin::Location;
use bosai_types::household::MemberId;
use bosai_types::{ShelterId, Timestamp};

pub async fn current_location(store: &dyn Store, person: &str, member: &MemberId) -> Result<Location, ApiError> {
    let loc = store.get(&keys::location(person)).await?;
    Ok(Location {
        member_id: member.clone(),
        shelter_id: loc.as_ref().and_then(|l| l.str("shelter")).and_then(|s| ShelterId::parse(s).ok()),
        since: Timestamp(loc.as_ref().and_then(|l| l.i64("at")).unwrap_or(0)),
    })
}
