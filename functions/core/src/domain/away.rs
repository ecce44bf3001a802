//! Residents sheltering away from home (広域避難), person by person, for their home
//! municipality's HQ: who is at which other municipality's shelter. Counts are in the summary
//! (`hq::summary`'s `away`); this is the per-person view, read only by roles allowed to
//! (municipal HQ and administrators of the home municipality, never the prefecture role) and
//! audited by the caller.

use crate::domain::{areas, headcount, shelters};
use crate::keys::{self, Space};
use crate::ApiError;
use bosai_store::{ItemExt, Query, Store};
use bosai_types::hq::AwayPerson;
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

/// Residents of `m` checked in at other municipalities' shelters (real data), by host, shelter
/// and name. Reads the counters the summary reads, then the roster of each shelter hosting any
/// of them: never every shelter of the prefecture.
pub async fn people(store: &dyn Store, m: &MunicipalityCode) -> Result<Vec<AwayPerson>, ApiError> {
    let mut elsewhere = shelters::all_counters(store, &Space::Real).await?;
    shelters::stored_with(store, m, &mut elsewhere).await?;
    let counter = headcount::home_counter(m.as_str());
    let mut out = Vec::new();
    for (id, counters) in elsewhere {
        if counters.get(&counter).and_then(|v| v.as_f64()).unwrap_or(0.0) < 1.0 {
            continue;
        }
        let Ok(id) = ShelterId::parse(&id) else {
            continue;
        };
        let shelter = shelters::get(store, &id).await?;
        let host_name = areas::municipality_name(store, &shelter.municipality).await?.map(|(ja, _)| ja);
        let roster = crate::domain::query_all(store, Query::gsi1(keys::present_at(&id, &Space::Real))).await?;
        for l in roster.iter().filter(|l| l.str(crate::domain::person::HOME) == Some(m.as_str())) {
            let (Some(name), Some(at)) = (l.str("name"), l.i64("at")) else {
                continue;
            };
            out.push(AwayPerson {
                name: name.to_owned(),
                birth_year: l.i64("birth_year").and_then(|y| u16::try_from(y).ok()),
                shelter_id: id.clone(),
                shelter_name_ja: shelter.name_ja.clone(),
                host: shelter.municipality.to_string(),
                host_name_ja: host_name.clone().unwrap_or_else(|| shelter.municipality.to_string()),
                checked_in_at: Timestamp(at),
            });
        }
    }
    out.sort_by(|a, b| (&a.host, &a.shelter_name_ja, &a.name).cmp(&(&b.host, &b.shelter_name_ja, &b.name)));
    Ok(out)
}
