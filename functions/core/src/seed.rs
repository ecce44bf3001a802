//! Demo data for the local stack: Sendai-shi (仙台市) with six shelters and
//! one HQ and one shelter-staff account. Seeding never overwrites: a restart
//! keeps whatever the demo users changed.

use crate::domain::{shelter_import, shelters, surveys};
use crate::keys;
use bosai_store::{item::item, Condition, ItemExt, Store, StoreError, Value};
use bosai_types::surveys::{NewSurvey, SurveyId, SurveyScope, SurveyTemplate};
use bosai_types::{Congestion, Facility, MunicipalityCode, Shelter, ShelterStatus, Timestamp};

pub const DEMO_MUNICIPALITY: &str = "041009";
/// 宮城県, the demo municipality's prefecture.
pub const DEMO_PREFECTURE: &str = "040002";
/// The local OpenID Provider (`tools/oidc-provider`) staff records are keyed by.
pub const DEMO_IDP: &str = "local";
pub const DEMO_STAFF_SHELTER: &str = "041009-aoba-katahira-es";
pub const DEMO_NEEDS_SURVEY: &str = "demo-needs";
pub const DEMO_HEALTH_SURVEY: &str = "demo-health-check";

/// The demo shelters as Sendai would publish them (自治体標準オープンデータセット 指定緊急避難場所一覧,
/// UTF-8 with BOM), loaded by the same importer a municipality uses.
pub const DEMO_SHELTERS_CSV: &[u8] = include_bytes!("../seed/041009-shelters.csv");

/// What the demo adds after the import, as staff would: facilities, people already there, and
/// every shelter open but the last (to show every state).
const DEMO_STATE: &[(&str, u32, bool, &[Facility])] = {
    use Facility::*;
    &[
        ("041009-aoba-katahira-es", 180, true, &[BarrierFree, Water, Toilets, InfantRoom]),
        ("041009-aoba-higashinibancho-es", 290, true, &[Water, Toilets, Charging]),
        ("041009-wakabayashi-itsutsubashi-jhs", 120, true, &[BarrierFree, Pets, Water, Toilets, Charging]),
        ("041009-miyagino-civic-center", 200, true, &[BarrierFree, Toilets, InfantRoom, Charging]),
        ("041009-taihaku-nagamachi-es", 40, true, &[Water, Toilets, Pets]),
        ("041009-izumi-civic-center", 0, false, &[BarrierFree, Toilets]),
    ]
};

fn demo_municipality() -> MunicipalityCode {
    MunicipalityCode::parse(DEMO_MUNICIPALITY).expect("valid demo code")
}

/// The demo shelters as the seed leaves them (read from the demo CSV by the importer's reader).
pub fn demo_shelters(now: Timestamp) -> Vec<Shelter> {
    let m = demo_municipality();
    let parsed = shelter_import::read::parse(DEMO_SHELTERS_CSV, &m).expect("the demo CSV is readable");
    assert!(parsed.errors.is_empty(), "the demo CSV is valid: {:?}", parsed.errors);
    parsed
        .rows
        .into_iter()
        .map(|row| {
            let &(_, occupancy, open, facilities) =
                DEMO_STATE.iter().find(|d| d.0 == row.id.as_str()).expect("demo state for every row");
            let status = if open { ShelterStatus::Open } else { ShelterStatus::Closed };
            let capacity = row.capacity.unwrap_or(0);
            Shelter {
                id: row.id,
                municipality: m.clone(),
                name_ja: row.name_ja,
                name_en: row.name_en.unwrap_or_default(),
                address_ja: row.address_ja,
                location: row.location,
                capacity,
                occupancy,
                status,
                congestion: Congestion::of(status, occupancy, capacity),
                facilities: facilities.to_vec(),
                kind: row.kind,
                hazards: row.hazards,
                updated_at: now,
                few: false,
            }
        })
        .collect()
}

/// The default needs survey (ニーズ調査) and a daily health check (健康状態の確認), for everyone,
/// open since 2024-01-01 JST so they are open whatever clock the demo runs on.
pub fn demo_surveys() -> Vec<NewSurvey> {
    let opens_at = Some(Timestamp(1_704_034_800_000));
    [(SurveyTemplate::Needs, DEMO_NEEDS_SURVEY), (SurveyTemplate::HealthCheck, DEMO_HEALTH_SURVEY)]
        .into_iter()
        .map(|(t, id)| t.survey(SurveyId::parse(id).expect("valid demo id"), SurveyScope::All, opens_at))
        .collect()
}

/// Who the demo's seeded occupancy stands for (people checked in on paper before the demo
/// began): a spread of sexes, ages and needs, so HQ's summary adds up from the start.
fn demo_headcount(people: u32, this_year: i32) -> std::collections::BTreeMap<String, i64> {
    let mut counters = std::collections::BTreeMap::new();
    for i in 0..i64::from(people) {
        let sex = match i % 17 {
            0 => "no_answer",
            k if k % 2 == 0 => "female",
            _ => "male",
        };
        let mut allergens = Vec::new();
        for (every, code) in [(13, "egg"), (17, "milk"), (29, "wheat"), (41, "shrimp"), (53, "buckwheat")] {
            if i % every == 3 {
                allergens.push(code);
            }
        }
        let care: &[&str] = if i % 23 == 5 {
            &["wheelchair"]
        } else if i % 37 == 7 {
            &["infant"]
        } else {
            &[]
        };
        let needs = serde_json::json!({ "allergens": allergens, "care": care });
        let mut roster = item(&bosai_store::Key::new("demo", "demo"))
            .with("sex", Value::s(sex))
            .with("needs", Value::s(needs.to_string()));
        if i % 19 != 11 {
            roster = roster.with("birth_year", Value::n(1935 + (i * 37) % 90));
        }
        crate::domain::headcount::count(&mut counters, &crate::domain::headcount::counters_of(&roster, this_year), 1);
    }
    counters
}

async fn put_once(store: &dyn Store, it: bosai_store::Item) -> Result<(), StoreError> {
    match store.put(it, Some(Condition::absent())).await {
        Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The demo municipality's areas (地区), imported by the same importer an admin uses.
pub const DEMO_AREAS_CSV: &[u8] = include_bytes!("../seed/041009-areas.csv");

/// 宮城県's municipality list (総務省 全国地方公共団体コード, saved as CSV), imported by the
/// importer an admin uses: names for codes, and the card's address read as a home.
pub const DEMO_MUNICIPALITY_LIST_CSV: &[u8] = include_bytes!("../seed/040002-municipalities.csv");

/// Staff records of the local provider's demo accounts (`tools/oidc-provider/accounts.json`).
pub fn demo_staff() -> Vec<bosai_types::staff::StaffAccount> {
    use bosai_types::staff::{StaffAccount, StaffRole};
    let account = |subject: &str, name: &str, role, shelters: &[&str]| StaffAccount {
        subject: subject.into(),
        name: name.into(),
        role,
        municipality: DEMO_MUNICIPALITY.into(),
        shelters: shelters.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        account("demo-staff-katahira", "避難所スタッフ（片平）", StaffRole::ShelterStaff, &[DEMO_STAFF_SHELTER]),
        account("demo-hq-sendai", "災害対策本部（仙台市）", StaffRole::Hq, &[]),
        account("demo-admin-sendai", "管理者（仙台市）", StaffRole::Admin, &[]),
        StaffAccount {
            municipality: DEMO_PREFECTURE.into(),
            ..account("demo-pref-miyagi", "県災害対策本部（宮城県）", StaffRole::PrefectureHq, &[])
        },
    ]
}

pub async fn seed(store: &dyn Store, now: Timestamp) -> Result<(), StoreError> {
    let m = MunicipalityCode::parse(DEMO_MUNICIPALITY).expect("valid demo code");
    put_once(
        store,
        item(&keys::municipality(&m)).with("name_ja", Value::s("仙台市")).with("name_en", Value::s("Sendai City")),
    )
    .await?;
    crate::domain::areas::register(store, &m, Some("仙台市"))
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    // Imported once: a restart keeps what an admin imported since.
    if crate::domain::areas::list(store, &m).await.map_err(|e| StoreError::Unavailable(e.to_string()))?.is_empty() {
        crate::domain::area_import::import(store, &m, DEMO_AREAS_CSV, true)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    }
    if crate::domain::municipality_list::listed(store, &m)
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
        .is_empty()
    {
        crate::domain::municipality_list::import(store, &m, DEMO_MUNICIPALITY_LIST_CSV, true)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    }
    let year = crate::domain::headcount::jst_year(now);
    // Imported once: a restart keeps what demo users changed.
    if shelters::stored_of(store, &m).await.map_err(|e| StoreError::Unavailable(e.to_string()))?.is_empty() {
        shelter_import::import(store, &m, DEMO_SHELTERS_CSV, true, now)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        for s in demo_shelters(now) {
            let counters = demo_headcount(s.occupancy, year)
                .into_iter()
                .fold(shelters::counters_item(&s.id, s.occupancy), |i, (k, v)| i.with(&k, Value::n(v)));
            store.put(counters, None).await?;
            let mut described = shelters::to_item(&s);
            let (status, facilities) = (described.remove("status"), described.remove("facilities"));
            let u = bosai_store::Update::new()
                .set("status", status.expect("status"))
                .set("facilities", facilities.expect("facilities"));
            store.update(&keys::shelter(&s.id), u, Some(Condition::present())).await?;
        }
    }
    for account in demo_staff() {
        let home = MunicipalityCode::parse(&account.municipality).expect("valid demo code");
        put_once(store, crate::domain::staff_accounts::record(DEMO_IDP, &home, &account, "seed", now)).await?;
    }
    for s in demo_surveys() {
        put_once(store, surveys::survey_item(&m, &s, now)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_store::sqlite::SqliteStore;
    use bosai_types::surveys::QuestionKind;

    #[tokio::test]
    async fn seeding_is_idempotent_and_keeps_changes() {
        let store = SqliteStore::in_memory().unwrap();
        seed(&store, Timestamp(1)).await.unwrap();
        let id = bosai_types::ShelterId::parse(DEMO_STAFF_SHELTER).unwrap();
        store
            .update(&keys::headcount(&id), bosai_store::Update::new().set("occupancy", Value::n(7)), None)
            .await
            .unwrap();
        seed(&store, Timestamp(2)).await.unwrap();
        let list = shelters::list(&store, &MunicipalityCode::parse(DEMO_MUNICIPALITY).unwrap()).await.unwrap();
        assert!(list.len() >= 5);
        assert_eq!(list.iter().find(|s| s.id == id).unwrap().occupancy, 7);
    }

    #[tokio::test]
    async fn demo_occupancy_has_people_behind_it() {
        let store = SqliteStore::in_memory().unwrap();
        seed(&store, Timestamp(1_795_359_600_000)).await.unwrap();
        let m = MunicipalityCode::parse(DEMO_MUNICIPALITY).unwrap();
        let sum = crate::domain::hq::summary(&store, &m, &crate::keys::Space::Real, Timestamp(1_795_359_600_000))
            .await
            .unwrap();
        for s in &sum.shelters {
            assert_eq!(s.headcount.people, s.occupancy, "{}", s.shelter_id);
            assert_eq!(s.headcount.by_age.values().sum::<u32>(), s.occupancy, "{}", s.shelter_id);
        }
        assert!(sum.totals.allergens.len() >= 3 && sum.totals.care.len() == 2, "{:?}", sum.totals);
        assert_eq!(sum.occupancy, sum.shelters.iter().map(|s| u64::from(s.occupancy)).sum::<u64>());
    }

    #[tokio::test]
    async fn demo_surveys_are_valid_and_seeded_once() {
        let m = MunicipalityCode::parse(DEMO_MUNICIPALITY).unwrap();
        for s in demo_surveys() {
            assert_eq!(s.validate(Timestamp(1_795_359_600_000)), Ok(()), "{}", s.id);
        }
        let store = SqliteStore::in_memory().unwrap();
        seed(&store, Timestamp(1)).await.unwrap();
        let id = SurveyId::parse(DEMO_HEALTH_SURVEY).unwrap();
        let hq = crate::auth::Principal {
            sub: "hq".into(),
            role: bosai_types::auth::Role::Hq,
            shelters: vec![],
            municipality: Some(m.clone()),
        };
        surveys::close(&store, &hq, &m, &id, Timestamp(5)).await.unwrap();
        seed(&store, Timestamp(2)).await.unwrap();
        let all = surveys::list(&store, &m).await.unwrap();
        assert_eq!(all.len(), 2);
        let health = all.iter().find(|s| s.id == id).unwrap();
        assert_eq!(
            (health.closed_at, health.created_at),
            (Some(Timestamp(5)), Timestamp(1)),
            "a reseed keeps HQ's changes"
        );
        let needs = all.iter().find(|s| s.id.as_str() == DEMO_NEEDS_SURVEY).unwrap();
        let needs_options = match &needs.questions[0].kind {
            QuestionKind::MultipleChoice { options, allow_other: true } => {
                options.iter().map(|o| o.id.to_string()).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        for item in [
            "water",
            "food",
            "blankets",
            "toilet_paper",
            "diapers_infant",
            "diapers_adult",
            "infant_formula",
            "medicine",
            "phone_charging",
        ] {
            assert!(needs_options.iter().any(|o| o == item), "{item}");
        }
    }
}
