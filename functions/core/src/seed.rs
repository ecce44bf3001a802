//! Demo data for the local stack: Sendai-shi (仙台市) with six shelters and
//! one HQ and one shelter-staff account. Seeding never overwrites: a restart
//! keeps whatever the demo users changed.

use crate::domain::shelters;
use crate::keys;
use bosai_store::{item::item, Condition, ItemExt, Store, StoreError, Value};
use bosai_types::{Congestion, Facility, GeoPoint, MunicipalityCode, Shelter, ShelterId, ShelterStatus, Timestamp};

pub const DEMO_MUNICIPALITY: &str = "041009";
pub const DEMO_HQ_ACCOUNT: &str = "hq-demo";
pub const DEMO_STAFF_ACCOUNT: &str = "staff-demo";
pub const DEMO_STAFF_SHELTER: &str = "aoba-katahira-es";

type Row = (&'static str, &'static str, &'static str, &'static str, f64, f64, u32, u32, &'static [Facility]);

const SHELTERS: &[Row] = {
    use Facility::*;
    &[
        ("aoba-katahira-es", "片平丁小学校", "Katahiracho Elementary School", "仙台市青葉区片平一丁目", 38.2553, 140.8697, 400, 180, &[BarrierFree, Water, Toilets, InfantRoom]),
        ("aoba-higashinibancho-es", "東二番丁小学校", "Higashi-Nibancho Elementary School", "仙台市青葉区一番町一丁目", 38.2582, 140.8745, 350, 290, &[Water, Toilets, Charging]),
        ("wakabayashi-itsutsubashi-jhs", "五橋中学校", "Itsutsubashi Junior High School", "仙台市若林区清水小路", 38.2533, 140.8798, 500, 120, &[BarrierFree, Pets, Water, Toilets, Charging]),
        ("miyagino-civic-center", "宮城野区中央市民センター", "Miyagino Central Civic Center", "仙台市宮城野区五輪二丁目", 38.2597, 140.8963, 200, 200, &[BarrierFree, Toilets, InfantRoom, Charging]),
        ("taihaku-nagamachi-es", "長町小学校", "Nagamachi Elementary School", "仙台市太白区長町五丁目", 38.2268, 140.8853, 450, 40, &[Water, Toilets, Pets]),
        ("izumi-civic-center", "泉区中央市民センター", "Izumi Central Civic Center", "仙台市泉区泉中央二丁目", 38.3223, 140.8810, 250, 0, &[BarrierFree, Toilets]),
    ]
};

pub fn demo_shelters(now: Timestamp) -> Vec<Shelter> {
    let m = MunicipalityCode::parse(DEMO_MUNICIPALITY).expect("valid demo code");
    SHELTERS
        .iter()
        .map(|&(id, ja, en, addr, lat, lon, cap, occ, fac)| {
            // The last one is not opened yet, to show every state in the demo.
            let status = if id == "izumi-civic-center" { ShelterStatus::Closed } else { ShelterStatus::Open };
            Shelter {
                id: ShelterId::parse(id).expect("valid demo id"),
                municipality: m.clone(),
                name_ja: ja.into(),
                name_en: en.into(),
                address_ja: addr.into(),
                location: GeoPoint::new(lat, lon).expect("valid demo point"),
                capacity: cap,
                occupancy: occ,
                status,
                congestion: Congestion::of(status, occ, cap),
                facilities: fac.to_vec(),
                updated_at: now,
            }
        })
        .collect()
}

async fn put_once(store: &dyn Store, it: bosai_store::Item) -> Result<(), StoreError> {
    match store.put(it, Some(Condition::absent())).await {
        Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(e) => Err(e),
    }
}

pub async fn seed(store: &dyn Store, now: Timestamp) -> Result<(), StoreError> {
    let m = MunicipalityCode::parse(DEMO_MUNICIPALITY).expect("valid demo code");
    put_once(store, item(&keys::municipality(&m)).with("name_ja", Value::s("仙台市")).with("name_en", Value::s("Sendai City")))
        .await?;
    for s in demo_shelters(now) {
        put_once(store, shelters::to_item(&s)).await?;
    }
    let accounts = [
        (DEMO_HQ_ACCOUNT, "hq", Value::L(vec![Value::s(DEMO_MUNICIPALITY)])),
        (DEMO_STAFF_ACCOUNT, "shelter_staff", Value::L(vec![Value::s(DEMO_STAFF_SHELTER)])),
    ];
    for (id, role, scope) in accounts {
        put_once(store, item(&keys::staff_account(id)).with("role", Value::s(role)).with("scope", scope)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_store::sqlite::SqliteStore;

    #[tokio::test]
    async fn seeding_is_idempotent_and_keeps_changes() {
        let store = SqliteStore::in_memory().unwrap();
        seed(&store, Timestamp(1)).await.unwrap();
        let id = ShelterId::parse(DEMO_STAFF_SHELTER).unwrap();
        store.update(&keys::shelter(&id), bosai_store::Update::new().set("occupancy", Value::n(7)), None).await.unwrap();
        seed(&store, Timestamp(2)).await.unwrap();
        let list = shelters::list(&store, &MunicipalityCode::parse(DEMO_MUNICIPALITY).unwrap()).await.unwrap();
        assert!(list.len() >= 5);
        assert_eq!(list.iter().find(|s| s.id == id).unwrap().occupancy, 7);
    }
}
