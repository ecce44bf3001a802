//! Shelters (指定避難所): storage mapping and the public list. A shelter is two items: its
//! description (`META`: rarely written) and its counters (`keys::headcount`: occupancy and
//! HQ's headcount, moved by every scan), so a scan rewrites only the small one.

use crate::keys::{self, Space};
use crate::ApiError;
use bosai_store::{attr, Item, ItemExt, Query, Store, Value};
use bosai_types::shelter_import::{Hazard, ShelterKind};
use bosai_types::{Congestion, Facility, GeoPoint, MunicipalityCode, Shelter, ShelterId, ShelterStatus, Timestamp};
use std::collections::BTreeMap;

fn status_str(s: ShelterStatus) -> &'static str {
    match s {
        ShelterStatus::Open => "open",
        ShelterStatus::Closed => "closed",
        ShelterStatus::Full => "full",
    }
}

fn enum_from_str<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

fn facility_value(f: &Facility) -> Value {
    Value::s(serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
}

pub fn to_item(s: &Shelter) -> Item {
    let facilities = s.facilities.iter().map(facility_value).collect();
    let item = bosai_store::item::item(&keys::shelter(&s.id))
        .with(attr::GSI1_PK, Value::s(keys::shelters_of(&s.municipality)))
        .with(attr::GSI1_SK, Value::s(format!("SHELTER#{}", s.id)))
        .with("id", Value::s(s.id.as_str()))
        .with("municipality", Value::s(s.municipality.as_str()))
        .with("name_ja", Value::s(&s.name_ja))
        .with("name_en", Value::s(&s.name_en))
        .with("address_ja", Value::s(&s.address_ja))
        .with("lat", Value::N(s.location.lat().to_string()))
        .with("lon", Value::N(s.location.lon().to_string()))
        .with("capacity", Value::n(s.capacity.into()))
        .with("status", Value::s(status_str(s.status)))
        .with("facilities", Value::L(facilities))
        .with("updated_at", Value::n(s.updated_at.millis()));
    designation_attrs(s.kind, &s.hazards).into_iter().fold(item, |i, (k, v)| i.with(k, v))
}

/// What the place is designated as and for which hazards (from the imported open data).
pub fn designation_attrs(kind: ShelterKind, hazards: &[Hazard]) -> [(&'static str, Value); 2] {
    let hazards = hazards.iter().filter_map(|h| serde_json::to_value(h).ok()?.as_str().map(Value::s)).collect();
    [
        (
            "kind",
            Value::s(serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()),
        ),
        ("hazards", Value::L(hazards)),
    ]
}

/// The counters item of a new shelter (`occupancy` people already there).
pub fn counters_item(id: &ShelterId, occupancy: u32) -> Item {
    bosai_store::item::item(&keys::headcount(id))
        .with(attr::GSI1_PK, Value::s(keys::HEADCOUNTS))
        .with(attr::GSI1_SK, Value::s(format!("SHELTER#{id}")))
        .with("occupancy", Value::n(occupancy.into()))
}

/// None when the stored item is not a readable shelter (logged by the caller). No counters
/// item yet: nobody has been checked in.
pub fn from_item(i: &Item, counters: Option<&Item>) -> Option<Shelter> {
    let status: ShelterStatus = enum_from_str(i.str("status")?)?;
    let capacity = u32::try_from(i.i64("capacity")?).ok()?;
    let occupancy = u32::try_from(counters.and_then(|c| c.i64("occupancy")).unwrap_or(0).max(0)).unwrap_or(u32::MAX);
    let facilities = match i.get("facilities") {
        Some(Value::L(l)) => l.iter().filter_map(|v| v.as_str().and_then(enum_from_str::<Facility>)).collect(),
        _ => Vec::new(),
    };
    Some(Shelter {
        id: ShelterId::parse(i.str("id")?).ok()?,
        municipality: MunicipalityCode::parse(i.str("municipality")?).ok()?,
        name_ja: i.str("name_ja")?.to_owned(),
        name_en: i.str("name_en").unwrap_or_default().to_owned(),
        address_ja: i.str("address_ja").unwrap_or_default().to_owned(),
        location: GeoPoint::new(i.get("lat")?.as_f64()?, i.get("lon")?.as_f64()?).ok()?,
        capacity,
        occupancy,
        status,
        congestion: Congestion::of(status, occupancy, capacity),
        facilities,
        kind: i.str("kind").and_then(enum_from_str).unwrap_or_default(),
        hazards: match i.get("hazards") {
            Some(Value::L(l)) => l.iter().filter_map(|v| v.as_str().and_then(enum_from_str::<Hazard>)).collect(),
            _ => Vec::new(),
        },
        updated_at: Timestamp(i.i64("updated_at").unwrap_or(0)),
        few: false,
    })
}

/// A stored shelter with what only the import and HQ need to know.
pub struct StoredShelter {
    pub shelter: Shelter,
    /// Removed from the municipality's published list: closed and hidden from residents.
    pub retired: bool,
    pub counters: Option<Item>,
}

/// The shelters residents see (retired ones are not), ordered by id.
pub async fn list(store: &dyn Store, m: &MunicipalityCode) -> Result<Vec<Shelter>, ApiError> {
    Ok(stored_of(store, m).await?.into_iter().filter(|s| !s.retired).map(|s| s.shelter).collect())
}

/// The shelters HQ counts, each with its counters item (HQ reads the headcount on it): a
/// retired shelter while people are still checked in there.
pub async fn list_with_counters(
    store: &dyn Store,
    m: &MunicipalityCode,
) -> Result<Vec<(Shelter, Option<Item>)>, ApiError> {
    Ok(stored_of(store, m)
        .await?
        .into_iter()
        .filter(|s| !s.retired || s.shelter.occupancy > 0)
        .map(|s| (s.shelter, s.counters))
        .collect())
}

/// Every stored shelter of a municipality, retired ones included: two queries.
pub async fn stored_of(store: &dyn Store, m: &MunicipalityCode) -> Result<Vec<StoredShelter>, ApiError> {
    stored_with(store, m, &mut all_counters(store, &Space::Real).await?).await
}

/// [`stored_of`] taking each shelter's counters out of `counters` (what is left belongs to
/// other municipalities' shelters).
pub async fn stored_with(
    store: &dyn Store,
    m: &MunicipalityCode,
    counters: &mut BTreeMap<String, Item>,
) -> Result<Vec<StoredShelter>, ApiError> {
    let mut out = Vec::new();
    for item in super::query_all(store, Query::gsi1(keys::shelters_of(m)).begins_with("SHELTER#")).await? {
        let c = item.str("id").and_then(|id| counters.remove(id));
        match from_item(&item, c.as_ref()) {
            Some(shelter) => out.push(StoredShelter { shelter, retired: item.contains_key("retired_at"), counters: c }),
            None => tracing::warn!(pk = item.str("pk").unwrap_or(""), "skipping unreadable shelter item"),
        }
    }
    Ok(out)
}

/// Every shelter's counters item in the deployment (the real ones or a drill's), by shelter id.
pub async fn all_counters(store: &dyn Store, space: &Space) -> Result<BTreeMap<String, Item>, ApiError> {
    let items = super::query_all(store, Query::gsi1(keys::headcounts(space))).await?;
    Ok(items
        .into_iter()
        .filter_map(|i| Some((i.str(attr::GSI1_SK)?.strip_prefix("SHELTER#")?.to_owned(), i)))
        .collect())
}

pub async fn get(store: &dyn Store, id: &ShelterId) -> Result<Shelter, ApiError> {
    let item = store.get(&keys::shelter(id)).await?.ok_or(ApiError::NotFound("避難所"))?;
    let counters = store.get(&keys::headcount(id)).await?;
    from_item(&item, counters.as_ref()).ok_or(ApiError::Unavailable(format!("unreadable shelter item {id}")))
}

/// Staff open, close or mark full their shelter; HQ any shelter of its municipality.
pub async fn set_status(
    store: &dyn Store,
    who: &crate::auth::Principal,
    id: &ShelterId,
    req: &bosai_types::ShelterStatusUpdate,
    now: Timestamp,
) -> Result<Shelter, ApiError> {
    req.validate().map_err(|_| ApiError::invalid("invalid_capacity", "収容人数は1〜100000で入力してください。"))?;
    let current = get(store, id).await?;
    if !who.may_manage_shelter(id, &current.municipality) {
        return Err(ApiError::Forbidden);
    }
    let mut update = bosai_store::Update::new()
        .set("status", Value::s(status_str(req.status)))
        .set("updated_at", Value::n(now.millis()));
    if let Some(c) = req.capacity {
        update = update.set("capacity", Value::n(c.into()));
    }
    store.update(&keys::shelter(id), update, Some(bosai_store::Condition::present())).await?;
    get(store, id).await
}

/// Facilities and capacity (設備・収容人数), kept by staff of the shelter, its HQ or its admin.
pub async fn set_facilities(
    store: &dyn Store,
    who: &crate::auth::Principal,
    id: &ShelterId,
    req: &bosai_types::shelter::ShelterFacilitiesUpdate,
    now: Timestamp,
) -> Result<Shelter, ApiError> {
    let capacity = bosai_types::ShelterStatusUpdate { status: ShelterStatus::Open, capacity: req.capacity };
    capacity
        .validate()
        .map_err(|_| ApiError::invalid("invalid_capacity", "収容人数は1〜100000で入力してください。"))?;
    let current = get(store, id).await?;
    if !who.may_manage_shelter(id, &current.municipality) {
        return Err(ApiError::Forbidden);
    }
    let mut facilities = req.facilities.clone();
    facilities.sort();
    facilities.dedup();
    let listed = facilities.iter().map(facility_value).collect();
    let mut update =
        bosai_store::Update::new().set("facilities", Value::L(listed)).set("updated_at", Value::n(now.millis()));
    if let Some(c) = req.capacity {
        update = update.set("capacity", Value::n(c.into()));
    }
    store.update(&keys::shelter(id), update, Some(bosai_store::Condition::present())).await?;
    get(store, id).await
}

/// The public shelter list of each municipality, kept for a few seconds
/// (`BOSAI_PUBLIC_CACHE_SECONDS`, default 10): a crowd refreshing the list during a disaster
/// reads a snapshot, not every shelter and counter item per request. Counts in it are the
/// public ones (「少数」 below [`Shelter::FEW_BELOW`]). Per instance: a Lambda instance or the
/// local stack each keeps its own.
pub struct PublicSnapshots {
    ttl_ms: i64,
    by_municipality: std::sync::Mutex<BTreeMap<String, Snapshot>>,
}

/// When it was taken (ms) and the list.
type Snapshot = (i64, std::sync::Arc<Vec<Shelter>>);

impl PublicSnapshots {
    pub fn new(ttl_seconds: u64) -> Self {
        Self {
            ttl_ms: i64::try_from(ttl_seconds).unwrap_or(60).saturating_mul(1000),
            by_municipality: Default::default(),
        }
    }

    pub async fn list(
        &self,
        store: &dyn Store,
        m: &MunicipalityCode,
        now: Timestamp,
    ) -> Result<std::sync::Arc<Vec<Shelter>>, ApiError> {
        let cached = self.by_municipality.lock().expect("snapshot lock").get(m.as_str()).cloned();
        if let Some((_, list)) = cached.filter(|(at, _)| now.millis() - at < self.ttl_ms && now.millis() >= *at) {
            return Ok(list);
        }
        let fresh = std::sync::Arc::new(list(store, m).await?.into_iter().map(Shelter::public).collect::<Vec<_>>());
        self.by_municipality.lock().expect("snapshot lock").insert(m.to_string(), (now.millis(), fresh.clone()));
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> Shelter {
        Shelter {
            id: ShelterId::parse("aoba-01").unwrap(),
            municipality: MunicipalityCode::parse("041009").unwrap(),
            name_ja: "片平丁小学校".into(),
            name_en: "Katahiracho Elementary School".into(),
            address_ja: "仙台市青葉区片平1丁目".into(),
            location: GeoPoint::new(38.256, 140.87).unwrap(),
            capacity: 400,
            occupancy: 210,
            status: ShelterStatus::Open,
            congestion: Congestion::Moderate,
            facilities: vec![Facility::Water, Facility::InfantRoom],
            kind: ShelterKind::Both,
            hazards: vec![Hazard::Flood, Hazard::Earthquake],
            updated_at: Timestamp(1_700_000_000_000),
            few: false,
        }
    }

    #[test]
    fn item_roundtrip() {
        let s = sample();
        assert_eq!(from_item(&to_item(&s), Some(&counters_item(&s.id, s.occupancy))), Some(s.clone()));
        let empty = from_item(&to_item(&s), None).unwrap();
        assert_eq!((empty.occupancy, empty.congestion), (0, Congestion::Low), "no counters yet: nobody there");
    }

    #[test]
    fn unreadable_items_are_skipped_not_fatal() {
        let mut i = to_item(&sample());
        i.insert("status".into(), Value::s("exploded"));
        assert_eq!(from_item(&i, None), None);
    }

    #[tokio::test]
    async fn list_orders_by_id_and_filters_municipality() {
        let store = bosai_store::sqlite::SqliteStore::in_memory().unwrap();
        let mut b = sample();
        b.id = ShelterId::parse("b").unwrap();
        let mut a = sample();
        a.id = ShelterId::parse("a").unwrap();
        let mut other = sample();
        other.id = ShelterId::parse("c").unwrap();
        other.municipality = MunicipalityCode::parse("131016").unwrap();
        for s in [&b, &a, &other] {
            store.put(to_item(s), None).await.unwrap();
        }
        store.put(counters_item(&a.id, 7), None).await.unwrap();
        let got = list(&store, &sample().municipality).await.unwrap();
        assert_eq!(got.iter().map(|s| (s.id.as_str(), s.occupancy)).collect::<Vec<_>>(), vec![("a", 7), ("b", 0)]);
        assert!(matches!(get(&store, &ShelterId::parse("zzz").unwrap()).await, Err(ApiError::NotFound(..))));
    }

    #[tokio::test]
    async fn the_public_list_is_a_snapshot_for_a_few_seconds() {
        let store = bosai_store::sqlite::SqliteStore::in_memory().unwrap();
        crate::seed::seed(&store, Timestamp(1)).await.unwrap();
        let m = MunicipalityCode::parse(crate::seed::DEMO_MUNICIPALITY).unwrap();
        let id = ShelterId::parse("041009-aoba-katahira-es").unwrap();
        let snapshots = PublicSnapshots::new(10);
        let occupancy = |l: &[Shelter]| l.iter().find(|s| s.id == id).map(|s| (s.occupancy, s.few)).unwrap();
        let first = snapshots.list(&store, &m, Timestamp(100_000)).await.unwrap();
        assert_eq!(occupancy(&first), (180, false));
        store
            .update(&keys::headcount(&id), bosai_store::Update::new().set("occupancy", Value::n(2)), None)
            .await
            .unwrap();
        // Within ten seconds: the snapshot, without reading the store.
        assert_eq!(occupancy(&snapshots.list(&store, &m, Timestamp(109_999)).await.unwrap()), (180, false));
        // Then a fresh one, where two people are 「少数」.
        assert_eq!(occupancy(&snapshots.list(&store, &m, Timestamp(110_000)).await.unwrap()), (0, true));
        // No snapshot at all with 0 seconds (the tests' setting).
        let none = PublicSnapshots::new(0);
        assert_eq!(occupancy(&none.list(&store, &m, Timestamp(110_000)).await.unwrap()), (0, true));
    }
}
