//! HQ's dashboard summary (本部集計). Built from counters kept as things happen,
//! so one load reads the shelter list, their counters, the safety counters and the
//! open supply requests: four queries, whatever the number of residents.

use crate::domain::{areas, headcount, safety, shelters, supplies};
use crate::keys::Space;
use crate::ApiError;
use bosai_store::Store;
use bosai_types::hq::{
    HqSummary, MunicipalityCount, MunicipalityTotals, PrefectureSummary, ShelterSummary, SupplyTotal,
};
use bosai_types::supplies::SupplyLine;
use bosai_types::{MunicipalityCode, Timestamp};
use std::collections::BTreeMap;

/// The summary of the real data, or of a drill's (`space`): its check-ins, safety reports and
/// supply requests.
pub async fn summary(
    store: &dyn Store,
    m: &MunicipalityCode,
    space: &Space,
    now: Timestamp,
) -> Result<HqSummary, ApiError> {
    let mut out = HqSummary {
        generated_at: now,
        capacity: 0,
        occupancy: 0,
        // Every age band listed, as on each shelter, also when there is no shelter.
        totals: headcount::empty(),
        shelters: Vec::new(),
        safety: safety::counts_by_area(store, m, space).await?,
        supplies: supply_totals(&supplies::requests(store, m, space).await?),
        hosted: Vec::new(),
        away: Vec::new(),
        drill: None,
    };
    let mut all = shelters::all_counters(store, space).await?;
    let own = shelters::stored_with(store, m, &mut all).await?;
    // A retired shelter is counted while people are still there.
    for (s, counters) in
        own.into_iter().filter(|s| !s.retired || s.shelter.occupancy > 0).map(|s| (s.shelter, s.counters))
    {
        let headcount = counters.as_ref().map(headcount::headcount_of).unwrap_or_else(headcount::empty);
        out.capacity += u64::from(s.capacity);
        out.occupancy += u64::from(s.occupancy);
        out.totals.add(&headcount);
        out.shelters.push(ShelterSummary {
            shelter_id: s.id,
            name_ja: s.name_ja,
            name_en: s.name_en,
            status: s.status,
            capacity: s.capacity,
            occupancy: s.occupancy,
            congestion: s.congestion,
            headcount,
        });
    }
    let hosted: Vec<(String, u32)> = out
        .totals
        .by_home
        .iter()
        .filter(|(home, n)| *home != m.as_str() && **n > 0)
        .map(|(h, n)| (h.clone(), *n))
        .collect();
    out.hosted = named(store, hosted).await?;
    out.away = named(store, away_by_host(store, m, &all).await?).await?;
    Ok(out)
}

/// Residents of `m` checked in at other municipalities' shelters (`elsewhere`: those shelters'
/// counters), by host municipality: one read per shelter that hosts any of them.
async fn away_by_host(
    store: &dyn Store,
    m: &MunicipalityCode,
    elsewhere: &BTreeMap<String, bosai_store::Item>,
) -> Result<Vec<(String, u32)>, ApiError> {
    let counter = headcount::home_counter(m.as_str());
    let mut by_host: BTreeMap<String, u32> = BTreeMap::new();
    for (id, item) in elsewhere {
        let n = item.get(&counter).and_then(|v| v.as_f64()).unwrap_or(0.0).max(0.0) as u32;
        if n == 0 {
            continue;
        }
        let Ok(id) = bosai_types::ShelterId::parse(id) else { continue };
        let host = shelters::get(store, &id).await?.municipality;
        *by_host.entry(host.to_string()).or_default() += n;
    }
    Ok(by_host.into_iter().collect())
}

async fn named(store: &dyn Store, counts: Vec<(String, u32)>) -> Result<Vec<MunicipalityCount>, ApiError> {
    let mut out = Vec::new();
    for (code, people) in counts {
        let name = match MunicipalityCode::parse(&code) {
            Ok(c) => areas::municipality_name(store, &c).await?.map(|(ja, _)| ja),
            Err(_) => None,
        };
        out.push(MunicipalityCount { name_ja: name.unwrap_or_else(|| code.clone()), municipality: code, people });
    }
    Ok(out)
}

/// The prefecture HQ's summary (`pref`: the prefecture's own code): per municipality and in
/// total, from the same counters. One query for every shelter's counters and one for the
/// served municipalities (which carries their names), then per municipality one query for its
/// shelters: the reads grow with the municipalities and shelters, never with the residents.
pub async fn prefecture_summary(
    store: &dyn Store,
    pref: &MunicipalityCode,
    now: Timestamp,
) -> Result<PrefectureSummary, ApiError> {
    let mut all = shelters::all_counters(store, &Space::Real).await?;
    let served: Vec<(MunicipalityCode, Option<String>)> =
        areas::served_named(store).await?.into_iter().filter(|(c, _)| c.in_prefecture(pref)).collect();
    let mut out = PrefectureSummary {
        generated_at: now,
        prefecture: pref.to_string(),
        capacity: 0,
        occupancy: 0,
        totals: headcount::empty(),
        municipalities: Vec::new(),
    };
    let mut away: BTreeMap<String, u32> = BTreeMap::new();
    for (m, name) in &served {
        let name_ja = match name {
            Some(n) => n.clone(),
            None => areas::municipality_name(store, m).await?.map(|(ja, _)| ja).unwrap_or_else(|| m.to_string()),
        };
        let mut line = MunicipalityTotals {
            municipality: m.to_string(),
            name_ja,
            shelters: 0,
            open: 0,
            capacity: 0,
            occupancy: 0,
            hosted: 0,
            away: 0,
        };
        for s in shelters::stored_with(store, m, &mut all)
            .await?
            .into_iter()
            .filter(|s| !s.retired || s.shelter.occupancy > 0)
        {
            let headcount = s.counters.as_ref().map(headcount::headcount_of).unwrap_or_else(headcount::empty);
            line.shelters += 1;
            line.open += u32::from(s.shelter.status == bosai_types::ShelterStatus::Open);
            line.capacity += u64::from(s.shelter.capacity);
            line.occupancy += u64::from(s.shelter.occupancy);
            for (home, n) in headcount.by_home.iter().filter(|(home, _)| home.as_str() != m.as_str()) {
                line.hosted += n;
                *away.entry(home.clone()).or_default() += n;
            }
            out.totals.add(&headcount);
        }
        out.capacity += line.capacity;
        out.occupancy += line.occupancy;
        out.municipalities.push(line);
    }
    // What is left are other prefectures' shelters: the prefecture's residents there are away too.
    for line in &mut out.municipalities {
        let counter = headcount::home_counter(&line.municipality);
        let elsewhere: u32 =
            all.values().map(|i| i.get(&counter).and_then(|v| v.as_f64()).unwrap_or(0.0).max(0.0) as u32).sum();
        line.away = away.get(&line.municipality).copied().unwrap_or(0) + elsewhere;
    }
    Ok(out)
}

/// Open requests summed per item, most requested first.
pub fn supply_totals(lines: &[SupplyLine]) -> Vec<SupplyTotal> {
    let mut by_item: BTreeMap<String, SupplyTotal> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.requested > 0) {
        let t = by_item.entry(l.code.clone()).or_insert_with(|| SupplyTotal {
            item: l.item,
            code: l.code.clone(),
            requested: 0,
            on_hand: 0,
            shelters: 0,
        });
        t.requested += l.requested;
        t.on_hand += l.on_hand;
        t.shelters += 1;
    }
    let mut out: Vec<_> = by_item.into_values().collect();
    out.sort_by(|a, b| b.requested.cmp(&a.requested).then_with(|| a.code.cmp(&b.code)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_types::supplies::{SupplyItem, SupplyStatus};
    use bosai_types::ShelterId;

    fn line(shelter: &str, item: SupplyItem, on_hand: u32, requested: u32) -> SupplyLine {
        SupplyLine {
            shelter_id: ShelterId::parse(shelter).unwrap(),
            item,
            code: item.code(),
            on_hand,
            requested,
            status: SupplyStatus::Requested,
            updated_at: Timestamp(0),
        }
    }

    #[tokio::test]
    async fn an_empty_municipality_lists_every_age_band_at_zero() {
        let s = bosai_store::sqlite::SqliteStore::in_memory().unwrap();
        let sum = summary(&s, &bosai_types::MunicipalityCode::parse("041009").unwrap(), &Space::Real, Timestamp(0))
            .await
            .unwrap();
        assert_eq!(sum.totals.by_age.len(), bosai_types::hq::AgeBand::ALL.len());
        assert!(sum.totals.by_age.values().all(|n| *n == 0) && sum.shelters.is_empty());
    }

    #[test]
    fn supply_totals_sum_open_requests_per_item() {
        let water = SupplyItem::DrinkingWater;
        let blanket = SupplyItem::Blanket;
        let lines =
            [line("a", water, 10, 100), line("b", water, 5, 50), line("a", blanket, 0, 200), line("c", blanket, 30, 0)];
        let t = supply_totals(&lines);
        assert_eq!(
            t.iter().map(|t| (t.code.as_str(), t.requested, t.on_hand, t.shelters)).collect::<Vec<_>>(),
            vec![(blanket.code().as_str(), 200, 0, 1), (water.code().as_str(), 150, 15, 2)]
        );
    }
}
