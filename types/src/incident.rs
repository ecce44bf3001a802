//! Incidents (災害) and drills (訓練): HQ opens one for some municipalities and closes it. What
//! happens while one is open belongs to it; a drill's data is kept apart from the real data
//! and deleted when the drill ends.

use crate::surveys::AreaCode;
use crate::{MunicipalityCode, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// 災害: a real disaster.
    Real,
    /// 訓練: a drill, never counted as the real thing.
    Drill,
}

/// An incident as HQ and the public see it (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incident {
    pub id: String,
    pub name: String,
    pub kind: IncidentKind,
    pub municipalities: Vec<MunicipalityCode>,
    /// Empty: the whole of each municipality.
    #[serde(default)]
    pub areas: Vec<AreaCode>,
    pub started_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// A closed real incident's personal data (rosters, check-ins) is deleted after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_data_until: Option<Timestamp>,
    /// How many personal items were deleted: a drill's at its closing, a real incident's by the
    /// purge after `personal_data_until` (counts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purged_items: Option<u64>,
    /// The purge report: items deleted by kind (`check_in_events`, `scan_records`, `locations`,
    /// `desk_people`), no names.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub purge_report: std::collections::BTreeMap<String, u64>,
    /// When the purge finished deleting its personal data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purged_at: Option<Timestamp>,
}

impl Incident {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    /// Open at `at` for municipality `m`.
    pub fn covers(&self, m: &MunicipalityCode, at: Timestamp) -> bool {
        self.municipalities.contains(m) && self.started_at <= at && self.closed_at.is_none_or(|c| at < c)
    }

    /// Reaches a resident registered in `area` (`None`: no area registered). An incident for
    /// some areas reaches those areas; one without a registered area is reached by a real
    /// incident (they may well be there) but not by a drill (their real reports stay real).
    pub fn reaches(&self, area: Option<&AreaCode>) -> bool {
        match area {
            _ if self.areas.is_empty() => true,
            Some(a) => self.areas.contains(a),
            None => self.kind == IncidentKind::Real,
        }
    }
}

/// Which incident what happens in municipality `m` at `at` belongs to: an open real incident
/// first (a real disaster during a drill takes precedence), else a drill, the latest started.
pub fn current<'a>(incidents: &'a [Incident], m: &MunicipalityCode, at: Timestamp) -> Option<&'a Incident> {
    let covering = || incidents.iter().filter(|i| i.covers(m, at));
    covering()
        .filter(|i| i.kind == IncidentKind::Real)
        .max_by_key(|i| i.started_at)
        .or_else(|| covering().max_by_key(|i| i.started_at))
}

/// [`current`] for a resident of `m` registered in `area` (their safety reports): an incident
/// limited to some areas belongs only to those it [reaches](Incident::reaches).
pub fn current_at_home<'a>(
    incidents: &'a [Incident],
    m: &MunicipalityCode,
    area: Option<&AreaCode>,
    at: Timestamp,
) -> Option<&'a Incident> {
    let covering = || incidents.iter().filter(|i| i.covers(m, at) && i.reaches(area));
    covering()
        .filter(|i| i.kind == IncidentKind::Real)
        .max_by_key(|i| i.started_at)
        .or_else(|| covering().max_by_key(|i| i.started_at))
}

/// `POST /api/hq/incidents`. Resending the same `incident_id` returns the incident opened the
/// first time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenIncident {
    /// Chosen by the app (8-64 of `[A-Za-z0-9_-]`), so a retried request opens one incident.
    pub incident_id: String,
    /// e.g. 「令和8年 台風第10号」, 「総合防災訓練」 (1-80 characters).
    pub name: String,
    pub kind: IncidentKind,
    /// Empty: the caller's own municipality.
    #[serde(default)]
    pub municipalities: Vec<MunicipalityCode>,
    #[serde(default)]
    pub areas: Vec<AreaCode>,
    /// Default: now. At most a day in the past (a drill or disaster noticed late).
    #[serde(default)]
    pub started_at: Option<Timestamp>,
}

pub const MAX_BACKDATE_MS: i64 = 24 * 3600 * 1000;

impl OpenIncident {
    pub fn validate(&self, now: Timestamp) -> Result<(), &'static str> {
        if !crate::checkin::valid_event_id(&self.incident_id) {
            return Err("incident_id is 8-64 of A-Z, a-z, 0-9, - and _");
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err("name is 1-80 characters");
        }
        if self.municipalities.len() > 100 || self.areas.len() > 200 {
            return Err("at most 100 municipalities and 200 areas");
        }
        if let Some(s) = self.started_at {
            if s.millis() > now.millis() + 60_000 || s.millis() < now.millis() - MAX_BACKDATE_MS {
                return Err("started_at is between a day ago and now");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(id: &str, kind: IncidentKind, start: i64, closed: Option<i64>) -> Incident {
        Incident {
            id: id.into(),
            name: id.into(),
            kind,
            municipalities: vec![MunicipalityCode::parse("041009").unwrap()],
            areas: vec![],
            started_at: Timestamp(start),
            closed_at: closed.map(Timestamp),
            personal_data_until: None,
            purged_items: None,
            purge_report: Default::default(),
            purged_at: None,
        }
    }

    #[test]
    fn an_incident_for_some_areas_reaches_only_their_residents() {
        let m = MunicipalityCode::parse("041009").unwrap();
        let aoba = AreaCode::parse("aoba-1").unwrap();
        let izumi = AreaCode::parse("izumi-2").unwrap();
        let mut drill = inc("drill", IncidentKind::Drill, 100, None);
        drill.areas = vec![aoba.clone()];
        let mut flood = inc("flood", IncidentKind::Real, 100, None);
        flood.areas = vec![izumi.clone()];
        let all = [drill, flood];
        let at = |area: Option<&AreaCode>| current_at_home(&all, &m, area, Timestamp(150)).map(|i| i.id.as_str());
        assert_eq!(at(Some(&aoba)), Some("drill"));
        assert_eq!(at(Some(&izumi)), Some("flood"));
        assert_eq!(at(None), Some("flood"), "no area: a real incident may reach them, a drill does not");
        assert_eq!(at(Some(&AreaCode::parse("taihaku-3").unwrap())), None);
        // Shelters carry no area: the whole municipality, the real one first.
        assert_eq!(current(&all, &m, Timestamp(150)).map(|i| i.id.as_str()), Some("flood"));
    }

    #[test]
    fn a_real_incident_takes_precedence_over_a_drill() {
        let m = MunicipalityCode::parse("041009").unwrap();
        let other = MunicipalityCode::parse("042021").unwrap();
        let all = [inc("drill", IncidentKind::Drill, 100, None), inc("real", IncidentKind::Real, 50, Some(300))];
        assert_eq!(current(&all, &m, Timestamp(120)).map(|i| i.id.as_str()), Some("real"));
        // After the real one closed, the drill still open.
        assert_eq!(current(&all, &m, Timestamp(300)).map(|i| i.id.as_str()), Some("drill"));
        // Before either started, and elsewhere: none.
        assert_eq!(current(&all, &m, Timestamp(10)), None);
        assert_eq!(current(&all, &other, Timestamp(120)), None);
    }

    #[test]
    fn opening_checks_its_fields() {
        let now = Timestamp(10 * MAX_BACKDATE_MS);
        let ok = OpenIncident {
            incident_id: "drill-2026-12".into(),
            name: "総合防災訓練".into(),
            kind: IncidentKind::Drill,
            municipalities: vec![],
            areas: vec![],
            started_at: None,
        };
        assert_eq!(ok.validate(now), Ok(()));
        assert!(OpenIncident { incident_id: "short".into(), ..ok.clone() }.validate(now).is_err());
        assert!(OpenIncident { name: " ".into(), ..ok.clone() }.validate(now).is_err());
        assert!(OpenIncident { name: "あ".repeat(81), ..ok.clone() }.validate(now).is_err());
        assert!(OpenIncident { started_at: Some(Timestamp(now.millis() - MAX_BACKDATE_MS - 1)), ..ok.clone() }
            .validate(now)
            .is_err());
        assert!(OpenIncident { started_at: Some(Timestamp(now.millis() + 3_600_000)), ..ok }.validate(now).is_err());
    }
}
