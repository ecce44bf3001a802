//! Where a person is checked in now (受付済みの避難所), as check-ins and check-outs
//! left it. Written by check-in; read by the household view and surveys.

use crate::{keys, ApiError};
use bosai_store::{ItemExt, Store};
use bosai_types::checkin::Location;
use bosai_types::household::MemberId;
use bosai_types::{ShelterId, Timestamp};

pub async fn current_location(
    store: &dyn Store,
    person: &str,
    space: &keys::Space,
    member: &MemberId,
) -> Result<Location, ApiError> {
    let (shelter_id, since) = read(store, person, space).await?;
    Ok(Location { member_id: member.clone(), shelter_id, since, drill: space.drill().is_some() })
}

/// The shelter the person is checked in at in `space`, and since when.
pub async fn at_shelter(
    store: &dyn Store,
    person: &str,
    space: &keys::Space,
) -> Result<Option<(ShelterId, Timestamp)>, ApiError> {
    let (shelter, since) = read(store, person, space).await?;
    Ok(shelter.map(|s| (s, since)))
}

/// The shelter (none when checked out or never in) and the time of the last check-in or out.
async fn read(
    store: &dyn Store,
    person: &str,
    space: &keys::Space,
) -> Result<(Option<ShelterId>, Timestamp), ApiError> {
    let loc = store.get(&keys::location_in(person, space)).await?;
    Ok((
        loc.as_ref().and_then(|l| l.str("shelter")).and_then(|s| ShelterId::parse(s).ok()),
        Timestamp(loc.as_ref().and_then(|l| l.i64("at")).unwrap_or(0)),
    ))
}

/// Where the person is checked in now: in the real data, else in an open drill's (a resident
/// sees where they checked in during a drill; [`Location::drill`] says so).
pub async fn current_anywhere(store: &dyn Store, person: &str, member: &MemberId) -> Result<Location, ApiError> {
    let real = current_location(store, person, &keys::Space::Real, member).await?;
    if real.shelter_id.is_some() {
        return Ok(real);
    }
    for space in crate::domain::incidents::drill_spaces(store).await? {
        let mut here = current_location(store, person, &space, member).await?;
        if here.shelter_id.is_some() {
            here.drill = true;
            return Ok(here);
        }
    }
    Ok(real)
}
