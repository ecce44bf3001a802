//! HQ's list of open requests for help (救助要請): the "needs help" reports of a municipality
//! (written with the report, `safety::submit`), each with where the person is checked in since.

use crate::domain::shelters;
use crate::keys::Space;
use crate::{keys, ApiError};
use bosai_store::{attr, Item, ItemExt, Query, Store};
use bosai_types::household::{HelpCheckedIn, HelpRequest};
use bosai_types::surveys::AreaCode;
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

pub const HELP_LIST_LIMIT: u32 = 500;

/// Open "needs help" reports of the municipality (real, or a drill's), newest first.
pub async fn help_requests(
    store: &dyn Store,
    municipality: &MunicipalityCode,
    space: &Space,
) -> Result<Vec<HelpRequest>, ApiError> {
    let page = store
        .query(Query::partition(keys::help_partition(municipality, space)).backward().limit(HELP_LIST_LIMIT))
        .await?;
    // One read per request (the list is short): whether the person was checked in since.
    let mut names = std::collections::BTreeMap::new();
    let mut out = Vec::with_capacity(page.items.len());
    for i in &page.items {
        let Some(mut r) = help_request(i) else { continue };
        r.checked_in = checked_in_since(store, i, space, r.reported_at, &mut names).await?;
        out.push(r);
    }
    Ok(out)
}

fn help_request(i: &Item) -> Option<HelpRequest> {
    Some(HelpRequest {
        report_id: i.str("report_id")?.to_owned(),
        member_name: i.str("member_name")?.to_owned(),
        birth_year: i.i64("birth_year").and_then(|y| u16::try_from(y).ok()),
        what: i.str("what")?.to_owned(),
        location: i.str("location")?.to_owned(),
        area: i.str("area").and_then(|a| AreaCode::parse(a).ok()),
        phone: i.str("phone").map(str::to_owned),
        reported_at: Timestamp(i.i64("reported_at")?),
        received_at: i.i64("received_at").map(Timestamp),
        checked_in: None,
    })
}

/// The shelter the person of help entry `i` (sort key `{at}#{sub}#{member}`) was checked in at
/// after asking for help, in the same space; `names` caches the shelters' names.
async fn checked_in_since(
    store: &dyn Store,
    i: &Item,
    space: &Space,
    reported_at: Timestamp,
    names: &mut std::collections::BTreeMap<ShelterId, String>,
) -> Result<Option<HelpCheckedIn>, ApiError> {
    let Some((sub, member)) =
        i.str(attr::SK).and_then(|sk| sk.split_once('#')).and_then(|(_, rest)| rest.split_once('#'))
    else {
        return Ok(None);
    };
    let person = keys::person_of_resident(sub, member);
    let here = super::location::at_shelter(store, &person, space).await?;
    let Some((shelter_id, since)) = here.filter(|(_, since)| *since >= reported_at) else { return Ok(None) };
    let shelter_name = match names.get(&shelter_id) {
        Some(n) => n.clone(),
        None => {
            let n = shelters::get(store, &shelter_id).await.map(|s| s.name_ja).unwrap_or_default();
            names.insert(shelter_id.clone(), n.clone());
            n
        }
    };
    Ok(Some(HelpCheckedIn { shelter_id, shelter_name, since }))
}
