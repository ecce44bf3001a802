//! Every resident-facing string, per language. The catalogs are data (`app/i18n/<area>/<code>.json`,
//! one file per language); `build.rs` checks them against the Japanese reference and generates
//! `Lang` and `Tr`, one field per key, so a key the code uses but a catalog lacks fails the build.
//! Japanese is compiled in; any other language is fetched when chosen (`load`), only that one.
//! The staff and HQ screens have their own areas (`i18n/staff`, `i18n/hq`: `StaffTr`, `HqTr`),
//! compiled into the staff bundle only, in Japanese and English (and any language given a file).

mod chooser;
mod load;
mod ruby;

use bosai_types::household::{Relationship, Sex};
use bosai_types::needs::{AllergenCode, CareNeed, DietaryNeed, MedicalNeed, NursingCareLevel};
use bosai_types::notices::NoticeLevel;
use bosai_types::shelter::Facility;
use bosai_types::{Congestion, ShelterStatus, Timestamp};
use leptos::prelude::{Get, IntoView, RwSignal};

pub use chooser::{start_language, LanguageChooser, LanguageOffer};
#[cfg(test)]
pub use load::install_for_test;
pub use load::{ensure, is_loaded, offer_from_browser, Lines};

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// A notice HQ can start from (`i18n/templates`): `{area}`, `{place}` and `{time}` are left
/// for HQ to fill in.
#[derive(Debug, Clone, Copy)]
pub struct NoticeTemplate {
    pub id: &'static str,
    /// (language code, title, body) in every catalog language, Japanese first.
    pub texts: &'static [(&'static str, &'static str, &'static str)],
}

/// A message with plural forms: (CLDR category, text), `other` always among them.
#[derive(Debug, Clone, Copy)]
#[repr(transparent)]
pub struct Plural(pub &'static [(&'static str, &'static str)]);

/// Reactive text for a fixed UI string. One closure type for every call site: each
/// distinct closure in a view is its own render code (~1–2 KB of wasm apiece). Furigana
/// (やさしい日本語) render as `<ruby>`.
/// A catalog string chosen at run time, as a view with its furigana (as `tx` gives a fixed one).
pub use ruby::render as furigana;

pub fn tx(lang: RwSignal<Lang>, f: fn(&Tr) -> &'static str) -> impl IntoView {
    move || ruby::render(f(lang.get().tr()))
}

/// Reactive staff-screen text (`i18n/staff`). One closure type for every call site, as with
/// `tx`; usable as a child and as an attribute value.
#[cfg(feature = "staff")]
pub fn ts(lang: RwSignal<Lang>, f: fn(&StaffTr) -> &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync {
    move || f(lang.get().staff())
}

/// Reactive HQ-screen text (`i18n/hq`), as `ts`.
#[cfg(feature = "staff")]
pub fn th(lang: RwSignal<Lang>, f: fn(&HqTr) -> &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync {
    move || f(lang.get().hq())
}

/// This language's text of a compiled area: Japanese for 日本語 and やさしい日本語 (and until the
/// other languages are here), else the language's own, else English.
#[cfg(feature = "staff")]
fn compiled<T>(ja: &'static T, other: Option<&'static [(Lang, T)]>, lang: Lang) -> &'static T {
    let Some(other) = other.filter(|_| !lang.is_ja()) else { return ja };
    let find = |l: Lang| other.iter().find(|(a, _)| *a == l).map(|(_, t)| t);
    find(lang).or_else(|| find(Lang::En)).unwrap_or(ja)
}

/// The staff and HQ areas in every language they have but Japanese, with the staff area's words
/// for the server's codes: a chunk of their own (`later::foreign_areas`), which `ensure` loads
/// with a language's resident catalog. A Japanese shelter device never downloads them.
#[cfg(feature = "staff")]
#[derive(Clone, Copy)]
pub struct ForeignAreas {
    pub staff: &'static [(Lang, StaffTr)],
    pub hq: &'static [(Lang, HqTr)],
    pub problems: &'static [(Lang, &'static [(&'static str, &'static str)])],
}

#[cfg(feature = "staff")]
thread_local! {
    static FOREIGN: std::cell::Cell<Option<ForeignAreas>> = const { std::cell::Cell::new(None) };
}

/// Host tests have no chunks: there the other languages are always here.
#[cfg(feature = "staff")]
fn foreign() -> Option<ForeignAreas> {
    #[cfg(test)]
    return Some(ForeignAreas { staff: STAFF_OTHER, hq: HQ_OTHER, problems: STAFF_PROBLEMS });
    #[cfg(not(test))]
    FOREIGN.with(std::cell::Cell::get)
}

/// Loads the staff and HQ areas' other languages for `l` unless they are here (or `l` is Japanese).
#[cfg(feature = "staff")]
pub(crate) async fn ensure_foreign_areas(l: Lang) {
    if !l.is_ja() && foreign().is_none() {
        let areas = crate::later::foreign_areas().await;
        FOREIGN.with(|f| f.set(Some(areas)));
    }
}

/// `template` with each `{name}` replaced by its value.
/// (A scan, not `str::replace`: its substring searcher costs kilobytes of wasm.)
/// `lang="ja"` for a person's name written in kana or kanji, shown on a page in another
/// language: it then breaks between phrases (「勅使河原 左衛門三郎」, not 「左衛/門」) and a
/// screen reader reads it in Japanese. None for a name in Latin letters.
pub fn name_lang(name: &str) -> Option<&'static str> {
    name.chars().any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}')).then_some("ja")
}

pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else { break };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..open + len];
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => out.push_str(v),
            None => out.push_str(&rest[open..=open + len]),
        }
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
}

const STORAGE_KEY: &str = "bosai.lang";

impl Lang {
    /// Standard or easy Japanese: Japanese content (notices, shelter names) and the staff
    /// screens' Japanese text.
    pub fn is_ja(self) -> bool {
        matches!(self, Lang::Ja | Lang::JaEasy)
    }
    /// This language's strings: Japanese until its catalog has been fetched. Not inlined: it is
    /// called from hundreds of views.
    #[inline(never)]
    pub fn tr(self) -> &'static Tr {
        load::catalog(self).unwrap_or(&JA)
    }
    /// The language chosen on this device before, if any. Japanese is the default, not the
    /// browser's locale (a borrowed phone may report any): `offer_from_browser` offers that.
    pub fn stored() -> Option<Lang> {
        crate::dom::storage_get(STORAGE_KEY).as_deref().and_then(Lang::from_code)
    }
    pub fn save(self) {
        crate::dom::storage_set(STORAGE_KEY, self.code());
    }
    /// Local date and time via the browser's Intl (no tz data in the wasm).
    pub fn format_time(self, ts: Timestamp) -> String {
        let opts = js_sys::Object::new();
        // Japan's time whatever the device is set to: the days the app counts in (survey periods,
        // the audit log), the notices' 「14時から」 and the shelters' schedules are all in JST.
        // English: the month as a word (7 Dec; 12/7 is July to some readers, December to others)
        // and a 24-hour clock, as Japan writes times.
        let month = if self == Lang::En { "short" } else { "numeric" };
        let fields = [("month", month), ("day", "numeric"), ("hour", "2-digit"), ("minute", "2-digit")];
        for (k, v) in fields.into_iter().chain([("timeZone", "Asia/Tokyo")]) {
            let _ = js_sys::Reflect::set(&opts, &k.into(), &v.into());
        }
        let locale = if self == Lang::En { "en-GB" } else { self.html_lang() };
        js_sys::Date::new(&(ts.millis() as f64).into()).to_locale_string(locale, &opts).into()
    }
    /// A whole number in this language's digits and grouping (Intl).
    pub fn num(self, n: f64) -> String {
        js_sys::Number::from(n).to_locale_string(self.html_lang()).into()
    }
    /// The form of `p` for count `n` (Intl.PluralRules), `n` filled in.
    pub fn plural(self, p: Plural, n: f64) -> String {
        let rules =
            js_sys::Intl::PluralRules::new(&js_sys::Array::of1(&self.html_lang().into()), &js_sys::Object::new());
        let category = rules.select(n).as_string().unwrap_or_default();
        let form = p.0.iter().find(|(c, _)| *c == category).or_else(|| p.0.iter().find(|(c, _)| *c == "other"));
        fill(form.map_or("", |(_, f)| f), &[("n", &self.num(n))])
    }
    /// 「12人 / 定員100人」, or 「少数」 for a count withheld from the public.
    pub fn people(self, occupancy: Option<u32>, capacity: u32) -> String {
        let cap = self.num(capacity.into());
        match occupancy {
            Some(n) => fill(self.tr().people, &[("n", &self.num(n.into())), ("cap", &cap)]),
            None => fill(self.tr().people_few, &[("cap", &cap)]),
        }
    }
    pub fn range(self, a: i32, b: i32) -> String {
        fill(self.tr().range, &[("a", &self.num(a.into())), ("b", &self.num(b.into()))])
    }
}

// Labels of the shared enums, from the catalog: never left untranslated (the build checks).
impl Lang {
    /// The staff screens' text in this language (see `compiled`). Not inlined: it is called from
    /// hundreds of views.
    #[cfg(feature = "staff")]
    #[inline(never)]
    pub fn staff(self) -> &'static StaffTr {
        compiled(&STAFF_JA, foreign().map(|f| f.staff), self)
    }
    /// The staff area's words for a server problem `code` in this language (English for a
    /// language the area lacks); none in Japanese, where the server's own words are shown.
    #[cfg(feature = "staff")]
    pub fn staff_problem(self, code: &str) -> Option<&'static str> {
        if self.is_ja() {
            return None;
        }
        let problems = foreign()?.problems;
        let list = |l: Lang| problems.iter().find(|(x, _)| *x == l).map(|(_, p)| *p);
        let words = list(self).or_else(|| list(Lang::En))?;
        words.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
    }
    /// The staff area has this language's own text (not the English fallback).
    #[cfg(feature = "staff")]
    pub fn staff_speaks(self) -> bool {
        STAFF_LANGS.contains(&self) || self.is_ja()
    }
    /// The HQ screens' text in this language (not inlined, as `staff`).
    #[cfg(feature = "staff")]
    #[inline(never)]
    pub fn hq(self) -> &'static HqTr {
        compiled(&HQ_JA, foreign().map(|f| f.hq), self)
    }
    /// A pair of texts that come with data (`bosai-types` labels, validation messages):
    /// Japanese for 日本語 and やさしい日本語, else English.
    pub fn pick(self, ja: &'static str, en: &'static str) -> &'static str {
        if self.is_ja() {
            ja
        } else {
            en
        }
    }
    pub fn congestion(self, c: Congestion) -> &'static str {
        let t = self.tr();
        match c {
            Congestion::Low => t.congestion_low,
            Congestion::Moderate => t.congestion_moderate,
            Congestion::High => t.congestion_high,
            Congestion::Full => t.congestion_full,
            // The same word as the status: one name for a shelter that is not open, everywhere.
            Congestion::Closed => t.status_closed,
        }
    }
    pub fn status(self, s: ShelterStatus) -> &'static str {
        let t = self.tr();
        match s {
            ShelterStatus::Open => t.status_open,
            ShelterStatus::Full => t.status_full,
            ShelterStatus::Closed => t.status_closed,
        }
    }
    pub fn facility(self, f: Facility) -> &'static str {
        let t = self.tr();
        match f {
            Facility::BarrierFree => t.facility_barrier_free,
            Facility::Pets => t.facility_pets,
            Facility::Charging => t.facility_charging,
            Facility::Water => t.facility_water,
            Facility::Toilets => t.facility_toilets,
            Facility::InfantRoom => t.facility_infant_room,
        }
    }
    pub fn allergen(self, a: AllergenCode) -> &'static str {
        use AllergenCode::*;
        let t = self.tr();
        match a {
            Shrimp => t.allergen_shrimp,
            Crab => t.allergen_crab,
            Walnut => t.allergen_walnut,
            Wheat => t.allergen_wheat,
            Buckwheat => t.allergen_buckwheat,
            Egg => t.allergen_egg,
            Milk => t.allergen_milk,
            Peanut => t.allergen_peanut,
            Almond => t.allergen_almond,
            Abalone => t.allergen_abalone,
            Squid => t.allergen_squid,
            SalmonRoe => t.allergen_salmon_roe,
            Orange => t.allergen_orange,
            Cashew => t.allergen_cashew,
            Kiwi => t.allergen_kiwi,
            Beef => t.allergen_beef,
            Sesame => t.allergen_sesame,
            Salmon => t.allergen_salmon,
            Mackerel => t.allergen_mackerel,
            Soybean => t.allergen_soybean,
            Chicken => t.allergen_chicken,
            Banana => t.allergen_banana,
            Pork => t.allergen_pork,
            Macadamia => t.allergen_macadamia,
            Peach => t.allergen_peach,
            Yam => t.allergen_yam,
            Apple => t.allergen_apple,
            Gelatin => t.allergen_gelatin,
        }
    }
    pub fn sex(self, s: Sex) -> &'static str {
        let t = self.tr();
        match s {
            Sex::Male => t.sex_male,
            Sex::Female => t.sex_female,
            Sex::Other => t.sex_other,
            Sex::NoAnswer => t.sex_no_answer,
        }
    }
    pub fn relationship(self, r: Relationship) -> &'static str {
        let t = self.tr();
        match r {
            Relationship::Myself => t.relationship_myself,
            Relationship::Spouse => t.relationship_spouse,
            Relationship::Child => t.relationship_child,
            Relationship::Parent => t.relationship_parent,
            Relationship::Grandparent => t.relationship_grandparent,
            Relationship::Grandchild => t.relationship_grandchild,
            Relationship::Sibling => t.relationship_sibling,
            Relationship::OtherRelative => t.relationship_other_relative,
            Relationship::Other => t.relationship_other,
        }
    }
    pub fn dietary(self, d: DietaryNeed) -> &'static str {
        let t = self.tr();
        match d {
            DietaryNeed::Halal => t.dietary_halal,
            DietaryNeed::Vegetarian => t.dietary_vegetarian,
            DietaryNeed::Vegan => t.dietary_vegan,
            DietaryNeed::SoftFood => t.dietary_soft_food,
            DietaryNeed::PureedFood => t.dietary_pureed_food,
            DietaryNeed::InfantFormulaPowder => t.dietary_infant_formula_powder,
            DietaryNeed::InfantFormulaLiquid => t.dietary_infant_formula_liquid,
            DietaryNeed::BabyFood => t.dietary_baby_food,
            DietaryNeed::LowSalt => t.dietary_low_salt,
            DietaryNeed::Diabetic => t.dietary_diabetic,
        }
    }
    pub fn medical(self, m: MedicalNeed) -> &'static str {
        let t = self.tr();
        match m {
            MedicalNeed::Dialysis => t.medical_dialysis,
            MedicalNeed::HomeOxygen => t.medical_home_oxygen,
            MedicalNeed::Ventilator => t.medical_ventilator,
            MedicalNeed::Insulin => t.medical_insulin,
            MedicalNeed::RegularMedication => t.medical_regular_medication,
            MedicalNeed::Stoma => t.medical_stoma,
        }
    }
    pub fn care(self, c: CareNeed) -> &'static str {
        let t = self.tr();
        match c {
            CareNeed::Wheelchair => t.care_wheelchair,
            CareNeed::VisualImpairment => t.care_visual_impairment,
            CareNeed::HearingImpairment => t.care_hearing_impairment,
            CareNeed::Pregnancy => t.care_pregnancy,
            CareNeed::Infant => t.care_infant,
            CareNeed::Dementia => t.care_dementia,
            CareNeed::IntellectualDisability => t.care_intellectual_disability,
        }
    }
    pub fn nursing(self, n: NursingCareLevel) -> &'static str {
        let t = self.tr();
        match n {
            NursingCareLevel::Support1 => t.nursing_support1,
            NursingCareLevel::Support2 => t.nursing_support2,
            NursingCareLevel::Care1 => t.nursing_care1,
            NursingCareLevel::Care2 => t.nursing_care2,
            NursingCareLevel::Care3 => t.nursing_care3,
            NursingCareLevel::Care4 => t.nursing_care4,
            NursingCareLevel::Care5 => t.nursing_care5,
        }
    }
    /// How urgent a notice is (the badge beside its title).
    pub fn notice_level(self, l: NoticeLevel) -> &'static str {
        let t = self.tr();
        match l {
            NoticeLevel::Info => t.notice_level_info,
            NoticeLevel::Warning => t.notice_level_warning,
            NoticeLevel::Emergency => t.notice_level_emergency,
        }
    }
    /// The kind of a safety status (`SafetyStatus::kind`).
    pub fn safety_kind(self, kind: &str) -> &'static str {
        let t = self.tr();
        match kind {
            "safe_at_home" => t.safety_kind_safe_at_home,
            "at_shelter" => t.safety_kind_at_shelter,
            "elsewhere" => t.safety_kind_elsewhere,
            _ => t.safety_kind_need_help,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_in_kana_or_kanji_is_marked_japanese() {
        assert_eq!(super::name_lang("勅使河原 左衛門三郎"), Some("ja"));
        assert_eq!(super::name_lang("グエン・ヴァン・アン"), Some("ja"));
        assert_eq!(super::name_lang("Nguyen Van An"), None);
        assert_eq!(super::name_lang("Trần Thị Hoa"), None);
    }

    #[test]
    fn fill_replaces_named_placeholders() {
        assert_eq!(super::fill("{n}人 / 定員{cap}人", &[("n", "12"), ("cap", "1,000")]), "12人 / 定員1,000人");
        assert_eq!(
            super::fill("{shelter}に受付済み（{time}）{x}", &[("shelter", "A"), ("time", "9:00")]),
            "Aに受付済み（9:00）{x}"
        );
        assert_eq!(super::fill("no braces {", &[]), "no braces {");
    }

    /// The staff screens: Japanese until the other languages arrive, then the language's own,
    /// English for one the area lacks, Japanese for やさしい日本語.
    #[test]
    fn a_compiled_area_falls_back_to_japanese_then_english() {
        use super::{compiled, Lang, STAFF_JA, STAFF_OTHER};
        let title = |l: Lang, other| compiled(&STAFF_JA, other, l).signin_staff_token;
        assert_eq!(title(Lang::En, None), STAFF_JA.signin_staff_token, "not loaded yet");
        let en = &STAFF_OTHER.iter().find(|(l, _)| *l == Lang::En).unwrap().1;
        assert_ne!(en.signin_staff_token, STAFF_JA.signin_staff_token);
        assert_eq!(title(Lang::En, Some(STAFF_OTHER)), en.signin_staff_token);
        assert_eq!(title(Lang::Vi, Some(STAFF_OTHER)), en.signin_staff_token, "no Vietnamese staff area");
        assert_eq!(title(Lang::JaEasy, Some(STAFF_OTHER)), STAFF_JA.signin_staff_token);
        assert!(!Lang::Vi.staff_speaks() && Lang::En.staff_speaks() && Lang::JaEasy.staff_speaks());
    }
}
