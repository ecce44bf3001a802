//! Importing a municipality's shelters from its published CSV (see docs/prefecture.md).
//!
//! A file is read and checked completely first ([`read`]); any invalid row means nothing is
//! written. Then [`plan`] compares the rows with the stored shelters by ID: new ones are added
//! closed, changed ones get their description updated (status, occupancy, facilities and
//! history are never touched), and stored ones missing from the file are retired (closed and
//! hidden from residents, never deleted). Applying writes the plan one shelter at a time, each
//! write idempotent, so an apply interrupted midway is completed by sending it again.

pub mod read;

use crate::domain::shelters::{self, StoredShelter};
use crate::{keys, ApiError};
use bosai_store::{Condition, ItemExt, Store, StoreError, Update, Value};
use bosai_types::shelter_import::{ChangeKind, RowProblem, ShelterChange, ShelterImportReport};
use bosai_types::{Congestion, MunicipalityCode, Shelter, ShelterStatus, Timestamp};
use read::ImportedShelter;

/// The fields of `stored` that `row` changes.
fn changed_fields(stored: &Shelter, row: &ImportedShelter) -> Vec<String> {
    let mut f = Vec::new();
    let mut check = |name: &str, differs: bool| {
        if differs {
            f.push(name.to_owned());
        }
    };
    check("name_ja", stored.name_ja != row.name_ja);
    check("name_en", row.name_en.as_ref().is_some_and(|n| *n != stored.name_en));
    check("address_ja", stored.address_ja != row.address_ja);
    check("location", stored.location != row.location);
    check("capacity", row.capacity.is_some_and(|c| c != stored.capacity));
    check("kind", stored.kind != row.kind);
    check("hazards", stored.hazards != row.hazards);
    f
}

/// What importing `rows` does to the `stored` shelters of the municipality, and what deserves
/// a warning. Pure: the preview and the apply use the same plan.
pub fn plan(rows: &[ImportedShelter], stored: &[StoredShelter]) -> (Vec<ShelterChange>, Vec<RowProblem>) {
    let by_id: std::collections::HashMap<_, _> = stored.iter().map(|s| (&s.shelter.id, s)).collect();
    let mut changes = Vec::new();
    let mut warnings = Vec::new();
    for row in rows {
        let (change, fields, occupancy) = match by_id.get(&row.id) {
            None => (ChangeKind::New, Vec::new(), 0),
            Some(s) => {
                let fields = changed_fields(&s.shelter, row);
                let kind = if s.retired {
                    ChangeKind::Restored
                } else if fields.is_empty() {
                    ChangeKind::Unchanged
                } else {
                    ChangeKind::Updated
                };
                (kind, fields, s.shelter.occupancy)
            }
        };
        let capacity_unknown = row.capacity.is_none() && by_id.get(&row.id).is_none_or(|s| s.shelter.capacity == 0);
        if capacity_unknown {
            warnings.push(RowProblem {
                line: row.line,
                column: Some("想定収容人数".into()),
                reason: "no capacity: enter it on the shelter's status screen before opening it".into(),
                reason_ja: "想定収容人数が空欄です。開設する前に収容人数を入力してください。".into(),
            });
        }
        changes.push(ShelterChange { id: row.id.clone(), name_ja: row.name_ja.clone(), change, fields, occupancy });
    }
    let in_file: std::collections::HashSet<_> = rows.iter().map(|r| &r.id).collect();
    for s in stored.iter().filter(|s| !s.retired && !in_file.contains(&s.shelter.id)) {
        if s.shelter.occupancy > 0 {
            warnings.push(RowProblem {
                line: 0,
                column: None,
                reason: format!(
                    "{} is retired but {} people are still checked in there",
                    s.shelter.name_ja, s.shelter.occupancy
                ),
                reason_ja: format!(
                    "{}は一覧から外れますが、まだ{}人が受付中です。",
                    s.shelter.name_ja, s.shelter.occupancy
                ),
            });
        }
        changes.push(ShelterChange {
            id: s.shelter.id.clone(),
            name_ja: s.shelter.name_ja.clone(),
            change: ChangeKind::Retired,
            fields: Vec::new(),
            occupancy: s.shelter.occupancy,
        });
    }
    (changes, warnings)
}

/// Reads, checks and (when `apply` and the file is valid) imports a municipality's shelters.
/// Answers the report either way; `applied` says whether anything was written.
pub async fn import(
    store: &dyn Store,
    m: &MunicipalityCode,
    bytes: &[u8],
    apply: bool,
    now: Timestamp,
) -> Result<ShelterImportReport, ApiError> {
    let parsed = read::parse(bytes, m)?;
    let stored = shelters::stored_of(store, m).await?;
    let (changes, warnings) = plan(&parsed.rows, &stored);
    let applied = apply && parsed.errors.is_empty();
    if applied {
        // Importing a municipality's shelters onboards it: its residents are received anywhere.
        crate::domain::areas::register(store, m, parsed.municipality_name.as_deref()).await?;
        let rows: std::collections::HashMap<_, _> = parsed.rows.iter().map(|r| (&r.id, r)).collect();
        for c in &changes {
            match (c.change, rows.get(&c.id)) {
                (ChangeKind::New, Some(row)) => create(store, m, row, now).await?,
                (ChangeKind::Updated | ChangeKind::Restored, Some(row)) => describe(store, row, now).await?,
                (ChangeKind::Retired, _) => retire(store, c, now).await?,
                _ => {}
            }
        }
        tracing::info!(municipality = %m, rows = parsed.total_rows, changes = changes.iter().filter(|c| c.change != ChangeKind::Unchanged).count(), "shelters imported");
    }
    Ok(ShelterImportReport {
        municipality: m.to_string(),
        format: parsed.format,
        encoding: parsed.encoding,
        rows: parsed.total_rows,
        errors: parsed.errors,
        warnings,
        changes,
        applied,
    })
}

/// A new shelter starts closed: HQ or its staff open it when it is needed.
async fn create(
    store: &dyn Store,
    m: &MunicipalityCode,
    row: &ImportedShelter,
    now: Timestamp,
) -> Result<(), ApiError> {
    let shelter = Shelter {
        id: row.id.clone(),
        municipality: m.clone(),
        name_ja: row.name_ja.clone(),
        name_en: row.name_en.clone().unwrap_or_default(),
        address_ja: row.address_ja.clone(),
        location: row.location,
        capacity: row.capacity.unwrap_or(0),
        occupancy: 0,
        status: ShelterStatus::Closed,
        congestion: Congestion::Closed,
        facilities: Vec::new(),
        kind: row.kind,
        hazards: row.hazards.clone(),
        updated_at: now,
        few: false,
    };
    let item = shelters::to_item(&shelter).with("source_id", Value::s(&row.source_id));
    match store.put(item, Some(Condition::absent())).await {
        // Created by an earlier, interrupted apply of the same file: bring it up to date.
        Err(StoreError::ConditionFailed) => describe(store, row, now).await?,
        other => other?,
    }
    match store.put(shelters::counters_item(&row.id, 0), Some(Condition::absent())).await {
        Err(StoreError::ConditionFailed) => Ok(()),
        other => Ok(other?),
    }
}

/// The published description only: status, capacity set by staff when the file has none,
/// facilities and counters stay as they are.
async fn describe(store: &dyn Store, row: &ImportedShelter, now: Timestamp) -> Result<(), ApiError> {
    let mut u = Update::new()
        .set("name_ja", Value::s(&row.name_ja))
        .set("address_ja", Value::s(&row.address_ja))
        .set("lat", Value::N(row.location.lat().to_string()))
        .set("lon", Value::N(row.location.lon().to_string()))
        .set("source_id", Value::s(&row.source_id))
        .set("updated_at", Value::n(now.millis()))
        .remove("retired_at");
    for (name, v) in shelters::designation_attrs(row.kind, &row.hazards) {
        u = u.set(name, v);
    }
    if let Some(en) = &row.name_en {
        u = u.set("name_en", Value::s(en));
    }
    if let Some(c) = row.capacity {
        u = u.set("capacity", Value::n(c.into()));
    }
    store.update(&keys::shelter(&row.id), u, Some(Condition::present())).await?;
    Ok(())
}

async fn retire(store: &dyn Store, c: &ShelterChange, now: Timestamp) -> Result<(), ApiError> {
    let u = Update::new()
        .set("retired_at", Value::n(now.millis()))
        .set("status", Value::s("closed"))
        .set("updated_at", Value::n(now.millis()));
    store.update(&keys::shelter(&c.id), u, Some(Condition::present())).await?;
    Ok(())
}

#[cfg(test)]
mod tests;
