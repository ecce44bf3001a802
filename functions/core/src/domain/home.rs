//! The resident's home municipality (住所地): read from the address on the card when the
//! resident shares the signing certificate, otherwise chosen by the resident, and correctable.
//! A check-in credential carries it, so the host shelter counts the person under it.

use crate::domain::{areas, municipality_list};
use crate::{keys, ApiError};
use bosai_store::{Condition, ItemExt, Store, StoreError, Update, Value};
use bosai_types::household::{Home, HomeSource, MunicipalityChoice};
use bosai_types::MunicipalityCode;
use std::collections::BTreeSet;

const CARD: &str = "card";
const CHOSEN: &str = "chosen";

/// The prefectures of the municipalities the deployment serves (usually one).
async fn served_prefectures(store: &dyn Store, own: &MunicipalityCode) -> Result<BTreeSet<MunicipalityCode>, ApiError> {
    let mut prefs: BTreeSet<MunicipalityCode> =
        areas::served(store).await?.iter().map(MunicipalityCode::prefecture).collect();
    prefs.insert(own.prefecture());
    Ok(prefs)
}

/// Records the home the card's address names, unless the resident chose one: a correction
/// stays. An address no list matches leaves the home as it was (the app then asks).
pub async fn record_from_card(
    store: &dyn Store,
    own: &MunicipalityCode,
    sub: &str,
    address: &str,
) -> Result<(), ApiError> {
    let mut listed = Vec::new();
    for pref in served_prefectures(store, own).await? {
        listed.extend(municipality_list::listed(store, &pref).await?);
    }
    let Some(code) = municipality_list::home_from_address(&listed, address) else {
        return Ok(());
    };
    // A card renewed after a move (a new signing certificate, the same authentication one).
    let before = municipality_of(store, own, sub).await?;
    let u =
        moving(&before, &code, Update::new().set("home", Value::s(code.as_str())).set("home_source", Value::s(CARD)));
    let not_chosen = Condition::Or(vec![
        Condition::NotExists("home_source".into()),
        Condition::Ne("home_source".into(), Value::s(CHOSEN)),
    ]);
    match store.update(&keys::profile(sub), u, Some(not_chosen)).await {
        Ok(_) if before != code => follow_home(store, own, sub).await,
        Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The home's update, which forgets the area when the home changes: areas are a
/// municipality's, and the old one's means nothing in the new one.
fn moving(before: &MunicipalityCode, after: &MunicipalityCode, u: Update) -> Update {
    if before == after {
        u
    } else {
        u.remove("area")
    }
}

/// After the home changed: the phone's notices come from whoever acts for the new home, with
/// no area yet.
async fn follow_home(store: &dyn Store, own: &MunicipalityCode, sub: &str) -> Result<(), ApiError> {
    let acting = acting_for(store, own, sub).await?;
    crate::domain::subscriptions::move_subscriptions(store, sub, &acting, None).await
}

/// The municipalities a resident may name: every listed one of the served prefectures, and
/// every served one (listed or not), by code.
pub async fn choices(store: &dyn Store, own: &MunicipalityCode) -> Result<Vec<MunicipalityChoice>, ApiError> {
    let served: BTreeSet<MunicipalityCode> = areas::served(store).await?.into_iter().chain([own.clone()]).collect();
    let mut out = Vec::new();
    for pref in served_prefectures(store, own).await? {
        for l in municipality_list::listed(store, &pref).await?.into_iter().filter(|l| !l.code.is_prefecture()) {
            out.push(MunicipalityChoice {
                served: served.contains(&l.code),
                name_ja: l.name_ja,
                kana: l.kana,
                name_en: l.name_en,
                municipality: l.code,
            });
        }
    }
    let unlisted: Vec<&MunicipalityCode> =
        served.iter().filter(|m| !out.iter().any(|c: &MunicipalityChoice| &c.municipality == *m)).collect();
    for m in unlisted {
        let (name_ja, name_en) = match areas::municipality_name(store, m).await? {
            // The name in Japanese again is no Latin name.
            Some((ja, en)) if en != ja => (ja, en),
            Some((ja, _)) => (ja, String::new()),
            None => (m.to_string(), String::new()),
        };
        out.push(MunicipalityChoice { municipality: m.clone(), name_ja, kana: String::new(), name_en, served: true });
    }
    out.sort_by(|a, b| a.municipality.cmp(&b.municipality));
    Ok(out)
}

fn unknown(code: &MunicipalityCode) -> ApiError {
    ApiError::invalid("unknown_municipality", "その市区町村は選べません。一覧から選んでください。")
        .with("municipality", code.as_str())
}

/// The resident names (or corrects) their home. Sending the same choice again changes nothing.
pub async fn choose(
    store: &dyn Store,
    own: &MunicipalityCode,
    sub: &str,
    code: &MunicipalityCode,
) -> Result<Home, ApiError> {
    // The same towns a check-in QR is received from.
    if code.is_prefecture() || !received(store, own, code.as_str()).await? {
        return Err(unknown(code));
    }
    let before = municipality_of(store, own, sub).await?;
    let u =
        moving(&before, code, Update::new().set("home", Value::s(code.as_str())).set("home_source", Value::s(CHOSEN)));
    store.update(&keys::profile(sub), u, None).await?;
    if &before != code {
        follow_home(store, own, sub).await?;
    }
    of(store, sub).await?.ok_or_else(|| unknown(code))
}

/// The resident's home as stored, with its name.
pub async fn of(store: &dyn Store, sub: &str) -> Result<Option<Home>, ApiError> {
    let Some(profile) = store.get(&keys::profile(sub)).await? else {
        return Ok(None);
    };
    let Some(code) = profile.str("home").and_then(|c| MunicipalityCode::parse(c).ok()) else {
        return Ok(None);
    };
    let source = if profile.str("home_source") == Some(CHOSEN) { HomeSource::Chosen } else { HomeSource::Card };
    let name_ja = areas::municipality_name(store, &code).await?.map(|(ja, _)| ja).unwrap_or_else(|| code.to_string());
    Ok(Some(Home { municipality: code, name_ja, source }))
}

/// The resident's municipality: their home, or the deployment's own for a resident who has
/// not named one. A check-in credential carries it; their notices, surveys and areas are its.
pub async fn municipality_of(
    store: &dyn Store,
    own: &MunicipalityCode,
    sub: &str,
) -> Result<MunicipalityCode, ApiError> {
    let profile = store.get(&keys::profile(sub)).await?;
    Ok(profile
        .as_ref()
        .and_then(|p| p.str("home"))
        .and_then(|c| MunicipalityCode::parse(c).ok())
        .unwrap_or_else(|| own.clone()))
}

/// The municipality that acts for the resident here: whose notices and surveys reach them, whose
/// areas they register in, whose HQ reads their safety reports and requests for help. Their home
/// when this deployment serves it; otherwise the deployment's own, so a resident of a town not
/// served here (the card's address, or who fled here) is not left with no one to read a call for
/// help. The check-in credential still carries the home ([`municipality_of`]): shelters count
/// them as from there.
pub async fn acting_for(store: &dyn Store, own: &MunicipalityCode, sub: &str) -> Result<MunicipalityCode, ApiError> {
    let home = municipality_of(store, own, sub).await?;
    Ok(if areas::serves(store, own, home.as_str()).await? { home } else { own.clone() })
}

/// Whether a credential naming home `code` is received here: a served municipality's
/// resident, or one of a listed municipality (a town whose shelters another one runs).
pub async fn received(store: &dyn Store, own: &MunicipalityCode, code: &str) -> Result<bool, ApiError> {
    if areas::serves(store, own, code).await? {
        return Ok(true);
    }
    let Ok(m) = MunicipalityCode::parse(code) else {
        return Ok(false);
    };
    Ok(municipality_list::listed_name(store, &m).await?.is_some())
}
