//! Per-shelter counters behind HQ's summary. Each person moving in or out adds
//! ±1 to the counters of what their roster entry says (sex, birth year, needs),
//! in the same transaction as the move, so HQ reads 500 shelter items instead
//! of 100 000 people. Leaving uses the attributes stored on the location at
//! check-in, so a needs edit while present cannot make the counters drift.

use bosai_store::{Item, ItemExt, Value};
use bosai_types::hq::{AgeBand, Headcount};
use bosai_types::needs::NeedsInput;
use std::collections::BTreeMap;

const PREFIX: &str = "hc_";

fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// The counters one person contributes to, from their roster attributes.
pub fn counters_of(roster: &Item) -> Vec<String> {
    let sex = roster.str("sex").filter(|s| matches!(*s, "female" | "male" | "other")).unwrap_or("no_answer");
    let mut out = vec![format!("{PREFIX}sex_{sex}")];
    out.push(match roster.i64("birth_year") {
        Some(y) => format!("{PREFIX}born_{y}"),
        None => format!("{PREFIX}born_unknown"),
    });
    let needs: NeedsInput = roster.str("needs").and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
    out.extend(needs.allergens.iter().map(|a| format!("{PREFIX}allergen_{}", snake(a))));
    out.extend(needs.dietary.iter().map(|d| format!("{PREFIX}diet_{}", snake(d))));
    out.extend(needs.medical.iter().map(|m| format!("{PREFIX}medical_{}", snake(m))));
    out.extend(needs.care.iter().map(|c| format!("{PREFIX}care_{}", snake(c))));
    out
}

/// Adds `sign` (±1) for each of the person's counters into `into`.
pub fn count(into: &mut BTreeMap<String, i64>, roster: &Item, sign: i64) {
    for c in counters_of(roster) {
        *into.entry(c).or_default() += sign;
    }
}

/// The headcount a shelter item's counters describe, with ages as of `this_year`.
pub fn headcount_of(shelter: &Item, this_year: i32) -> Headcount {
    let mut h = Headcount::default();
    for band in AgeBand::ALL {
        h.by_age.insert(band, 0);
    }
    for (name, value) in shelter.iter() {
        let Some(rest) = name.strip_prefix(PREFIX) else { continue };
        let n = match value {
            Value::N(_) => value.as_f64().unwrap_or(0.0).max(0.0) as u32,
            _ => continue,
        };
        if n == 0 {
            continue;
        }
        let (kind, what) = rest.split_once('_').unwrap_or((rest, ""));
        match kind {
            "sex" => {
                h.people += n;
                match what {
                    "female" => h.by_sex.female += n,
                    "male" => h.by_sex.male += n,
                    "other" => h.by_sex.other += n,
                    _ => h.by_sex.no_answer += n,
                }
            }
            "born" => *h.by_age.entry(AgeBand::of(what.parse().ok(), this_year)).or_default() += n,
            "allergen" => add(&mut h.allergens, what, n),
            "diet" => add(&mut h.dietary, what, n),
            "medical" => add(&mut h.medical, what, n),
            "care" => add(&mut h.care, what, n),
            _ => {}
        }
    }
    h
}

fn add<K: serde::de::DeserializeOwned + Ord>(map: &mut BTreeMap<K, u32>, code: &str, n: u32) {
    // A code this version does not know (written by a newer one) is left out, not a failure.
    if let Some(k) = parse::<K>(code) {
        *map.entry(k).or_default() += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosai_types::needs::{AllergenCode, CareNeed};

    fn person(sex: &str, born: Option<i64>, needs: &str) -> Item {
        let mut i = Item::new().with("sex", Value::s(sex)).with("needs", Value::s(needs));
        if let Some(y) = born {
            i = i.with("birth_year", Value::n(y));
        }
        i
    }

    #[test]
    fn moving_in_and_out_cancels() {
        let a = person("female", Some(1940), r#"{"allergens":["egg","milk"],"care":["wheelchair"]}"#);
        let b = person("male", None, "{}");
        let mut counters = BTreeMap::new();
        count(&mut counters, &a, 1);
        count(&mut counters, &b, 1);
        count(&mut counters, &b, -1);
        let shelter = counters.iter().fold(Item::new(), |i, (k, v)| i.with(k, Value::n(*v)));
        let h = headcount_of(&shelter, 2026);
        assert_eq!(h.people, 1);
        assert_eq!(h.by_sex.female, 1);
        assert_eq!(h.by_sex.male, 0);
        assert_eq!(h.by_age[&AgeBand::Over75], 1);
        assert_eq!(h.by_age[&AgeBand::Unknown], 0);
        assert_eq!(h.allergens.keys().copied().collect::<Vec<_>>(), vec![AllergenCode::Egg, AllergenCode::Milk]);
        assert_eq!(h.care.get(&CareNeed::Wheelchair), Some(&1));
    }

    #[test]
    fn odd_roster_values_count_as_unknown() {
        let odd = person("", None, "not json");
        assert_eq!(counters_of(&odd), vec!["hc_sex_no_answer".to_owned(), "hc_born_unknown".to_owned()]);
        // Attributes that are not counters, and negative or unknown counters, are ignored.
        let shelter = Item::new()
            .with("occupancy", Value::n(3))
            .with("hc_sex_male", Value::n(-1))
            .with("hc_allergen_dragonfruit", Value::n(2))
            .with("hc_born_unknown", Value::n(2));
        let h = headcount_of(&shelter, 2026);
        assert_eq!(h.people, 0);
        assert!(h.allergens.is_empty());
        assert_eq!(h.by_age[&AgeBand::Unknown], 2);
    }
}
