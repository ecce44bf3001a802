//! Who a scanned QR code names, shown before staff confirm: names, ages and where each
//! person is checked in, looked up online; offline only a count such as 「本人＋家族2人」.
//! Internal member ids never reach the screen.

use crate::api::{self, ApiError};
use crate::i18n::{fill, Lang};
use crate::staff;
use bosai_types::scan_preview::{headcount_en, headcount_ja, PreviewPerson, ScanPreview, ScanPreviewRequest};
use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    Loading,
    Found(ScanPreview),
    /// Offline, or the lookup failed for the network: the device's own check stands.
    Offline,
    /// The server refuses the code (revoked, a member removed…): it would be rejected when sent.
    Refused(ApiError),
}

/// Looks the scanned code up when the device is online.
pub async fn fetch(shelter: &str, credential: &str) -> Preview {
    if !staff::online() {
        return Preview::Offline;
    }
    match api::shelter::scan_preview(shelter, &ScanPreviewRequest { credential: credential.to_owned() }).send().await {
        Ok(p) => Preview::Found(p),
        Err(e) if e.status() == Some(400) => Preview::Refused(e),
        Err(_) => Preview::Offline,
    }
}

/// The heading of the confirmation: a count offline, names online.
pub fn heading(members: &[String], preview: &Preview, l: Lang) -> String {
    match preview {
        Preview::Found(p) => l.plural(l.staff().common_people_n, p.people.len() as f64),
        _ if l.is_ja() => headcount_ja(members),
        _ => headcount_en(members),
    }
}

/// 本人, 家族1, 家族2…: labels for the checkboxes when names are not known (offline).
pub fn offline_label(members: &[String], index: usize, l: Lang) -> String {
    if members[index] == bosai_types::household::MemberId::SELF {
        return l.staff().scan_people_card_holder.into();
    }
    let n = members[..index].iter().filter(|m| *m != bosai_types::household::MemberId::SELF).count() + 1;
    fill(l.staff().scan_people_family_n, &[("n", &n.to_string())])
}

/// A person's line online: name, age, and where they are checked in now.
pub fn person_line(p: &PreviewPerson, here: &str, checking_in: bool, l: Lang) -> impl IntoView {
    let age = p.age.map(|a| fill(l.staff().scan_people_age, &[("age", &a.to_string())]));
    let place = p.checked_in.as_ref().and_then(|c| Some((c.shelter_id.clone()?, c.since))).map(|(at, since)| {
        let time = l.format_time(since);
        if at.as_str() == here {
            let wording =
                if checking_in { l.staff().scan_people_already_here } else { l.staff().scan_people_checked_in_here };
            let text = fill(wording, &[("time", &time)]);
            view! { <span class="flag already">{text}</span> }.into_any()
        } else {
            let name = api::shelter_name(at.as_str(), l);
            let text = fill(l.staff().scan_people_from_elsewhere, &[("name", &name), ("time", &time)]);
            view! { <span class="flag from-elsewhere">{text}</span> }.into_any()
        }
    });
    // Checking out someone not checked in anywhere: said, as "already here" is for a check-in.
    let not_here = (!checking_in && p.checked_in.as_ref().is_none_or(|c| c.shelter_id.is_none()))
        .then(|| view! { <span class="flag already">{l.staff().scan_people_not_here}</span> });
    view! {
        <span class="p-name">{p.name.clone()}</span>
        <span class="p-age">{age}</span>
        {p.name_unconfirmed.then(|| view! { <span class="flag name-unconfirmed">{l.staff().common_special_characters_check_card}</span> })}
        {place}
        {not_here}
    }
}
