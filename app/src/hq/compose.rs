//! Writing a notice (お知らせ): text in Japanese and English, level, who it reaches, a confirmation step.

use crate::api;
use crate::api::ApiError;
use crate::i18n::{th, HqTr, Lang};
use crate::resident::level_class;
use crate::use_lang;
use bosai_types::household::Area;
use bosai_types::notices::{NewNotice, Notice, NoticeError, NoticeId, NoticeLevel, NoticeTarget};
use bosai_types::surveys::{AreaCode, Localized};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Separate from the shelter staff token: one device may hold both.
use super::*;

/// A fresh UUID v4 for one draft: a resend of that draft is recognised by the server.
pub(crate) fn new_notice_id() -> NoticeId {
    let mut b = [0u8; 16];
    let ok = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut b).is_ok());
    if !ok {
        b.iter_mut().for_each(|x| *x = (js_sys::Math::random() * 256.0) as u8);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    NoticeId::parse(&format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]))
        .expect("a UUID is a valid notice id")
}

pub(crate) fn level_label(v: NoticeLevel, l: Lang) -> &'static str {
    match v {
        NoticeLevel::Info => l.hq().compose_information,
        NoticeLevel::Warning => l.hq().compose_warning,
        NoticeLevel::Emergency => l.hq().compose_emergency_notification_stays_until,
    }
}

pub(crate) fn target_text(target: &NoticeTarget, areas: &[Area], l: Lang) -> String {
    match target {
        NoticeTarget::All => in_words(Reach::All, &[], areas, l),
        NoticeTarget::Evacuees => in_words(Reach::Evacuees, &[], areas, l),
        NoticeTarget::Areas { areas: codes } => in_words(Reach::Areas, codes, areas, l),
    }
}

#[component]
/// `correcting`: the sent notice this draft corrects (訂正), chosen in the sent list.
pub(crate) fn Composer(
    areas: RwSignal<Vec<Area>>,
    sent: RwSignal<u32>,
    correcting: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let lang = use_lang();
    // One id per draft, kept through retries; a new one only after a send went through.
    let id = RwSignal::new(new_notice_id());
    let title = RwSignal::new(Localized::default());
    let body = RwSignal::new(Localized::default());
    // What a template's blanks get (the areas come from the areas chosen).
    let place = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
    let chosen_template = RwSignal::new(String::new());
    let level = RwSignal::new(NoticeLevel::Info);
    let reach = RwSignal::new(Reach::All);
    let chosen = RwSignal::new(Vec::<AreaCode>::new());
    let invalid = RwSignal::new(None::<NoticeError>);
    // Shown for confirmation: exactly what will be sent.
    let confirming = RwSignal::new(None::<NewNotice>);
    let failed = RwSignal::new(None::<(ApiError, bool)>);
    let sending = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);

    let build = move || -> Result<NewNotice, NoticeError> {
        let target = match reach.get_untracked() {
            Reach::All => NoticeTarget::All,
            Reach::Evacuees => NoticeTarget::Evacuees,
            Reach::Areas => NoticeTarget::Areas { areas: picked(areas, chosen) },
        };
        let n = NewNotice {
            id: id.get_untracked(),
            title: title.with_untracked(trimmed),
            body: body.with_untracked(trimmed),
            level: level.get_untracked(),
            target,
            replaces: correcting.with_untracked(|c| c.as_ref().map(|n| n.id.clone())),
        };
        n.validate()?;
        if let Some(e) = unfilled(&n.title, &n.body) {
            return Err(e);
        }
        Ok(n)
    };
    let review = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        failed.set(None);
        match build() {
            Ok(n) => {
                invalid.set(None);
                confirming.set(Some(n));
                focus("notice-confirm-h");
            }
            Err(e) => {
                focus(&match e.code {
                    "invalid_body" => first_at_fault(Part::Body, &body.get_untracked()),
                    "invalid_target" => "n-target-areas".into(),
                    _ => first_at_fault(Part::Title, &title.get_untracked()),
                });
                invalid.set(Some(e));
            }
        }
    };
    let send = move |_| {
        let Some(n) = confirming.get_untracked() else { return };
        sending.set(true);
        failed.set(None);
        spawn_local(async move {
            match api::hq::send_notice(&n).done().await {
                Ok(_) => {
                    done.set(Some(n.title.ja.clone()));
                    confirming.set(None);
                    for s in [title, body] {
                        s.set(Localized::default());
                    }
                    for s in [place, time, chosen_template] {
                        s.set(String::new());
                    }
                    level.set(NoticeLevel::Info);
                    reach.set(Reach::All);
                    chosen.set(Vec::new());
                    id.set(new_notice_id());
                    correcting.set(None);
                    sent.update(|n| *n += 1);
                    focus("notice-done");
                }
                // This draft's id went out earlier with other words (sent, then edited after
                // a lost answer): what is confirmed now goes out as a new notice.
                Err(e) if e.code() == Some("notice_id_taken") => {
                    let fresh = new_notice_id();
                    id.set(fresh.clone());
                    confirming.set(Some(NewNotice { id: fresh, ..n }));
                    failed.set(Some((e, true)));
                    sent.update(|n| *n += 1);
                }
                Err(e) => failed.set(Some((e, false))),
            }
            sending.set(false);
        });
    };
    let back = move |_| {
        confirming.set(None);
        failed.set(None);
        focus("n-title-ja");
    };

    let failure = move || {
        let l = lang.get();
        let (e, taken) = failed.get()?;
        let text = if taken {
            l.hq().compose_draft_had_already_gone.to_string()
        } else if e.is_offline() || matches!(e, ApiError::Network) {
            l.hq().compose_could_not_confirm_notice.to_string()
        } else {
            error_text(&e, l)
        };
        Some(view! { <p class="banner" role="alert">{text}</p> })
    };

    let confirm_panel = move || {
        let l = lang.get();
        let n = confirming.get()?;
        let corrects = correcting.with(|c| c.as_ref().map(|c| c.title.ja.clone())).map(|t| {
            view! { <div><dt>{l.hq().compose_as_correction}</dt><dd lang="ja" class="confirm-corrects">{t}</dd></div> }
        });
        let target = areas.with(|a| target_text(&n.target, a, l));
        // Every language written besides Japanese, as its readers will see it.
        let others = n
            .title
            .written()
            .map(|(c, _)| c)
            .chain(n.body.written().map(|(c, _)| c))
            .filter(|c| *c != "ja")
            .fold(Vec::new(), |mut v, c| {
                if !v.contains(&c) {
                    v.push(c);
                }
                v
            })
            .into_iter()
            .map(|code| {
                let (name, tag) = Lang::from_code(code).map_or((code, "ja"), |x| (x.name(), x.html_lang()));
                view! {
                    <div><dt lang=tag>{name}</dt><dd lang=tag><strong class="confirm-title-other">{n.title.get(code).to_owned()}</strong><br/><span class="pre">{n.body.get(code).to_owned()}</span></dd></div>
                }
            })
            .collect_view();
        Some(view! {
            <div class="panel notice-confirm" role="group" aria-labelledby="notice-confirm-h">
                <h3 id="notice-confirm-h" tabindex="-1">{l.hq().compose_send_notice}</h3>
                <dl class="facts">
                    {corrects}
                    <div><dt>{l.hq().compose_level}</dt><dd><span class=level_class(n.level)>{l.notice_level(n.level)}</span></dd></div>
                    <div><dt>{l.hq().compose_text}</dt><dd class="confirm-target">{target}</dd></div>
                    <div><dt>{l.hq().compose_title}</dt><dd lang="ja" class="confirm-title">{n.title.ja.clone()}</dd></div>
                    <div><dt>{l.hq().compose_message}</dt><dd lang="ja" class="pre">{n.body.ja.clone()}</dd></div>
                    {others}
                </dl>
                <p class="hint">{l.hq().compose_once_sent_it_cannot}</p>
                {failure}
                <div class="actions">
                    <button type="button" id="notice-send" class="btn btn-wide" on:click=send disabled=move || sending.get()>
                        {move || if sending.get() { lang.get().hq().compose_sending } else { lang.get().hq().compose_send }}
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=back disabled=move || sending.get()>
                        {l.hq().compose_edit}
                    </button>
                </div>
            </div>
        })
    };

    let field_error = move |code: &'static str| {
        move || {
            invalid.with(|e| {
                e.as_ref().filter(|e| e.code == code).map(|e| {
                    let text = if lang.get().is_ja() { e.ja.clone() } else { e.en.clone() };
                    view! { <p class="field-error" id="notice-error" role="alert">{text}</p> }
                })
            })
        }
    };
    // A template fills every language's texts and the level; the areas chosen, the place and the
    // time go in where it says {area}, {place}, {time} (again whenever one of them changes).
    let fill_template = move || {
        let Some(t) = chosen_template.with_untracked(|id| template(id)) else { return };
        let picked = chosen.get_untracked();
        let names = (reach.get_untracked() == Reach::Areas && !picked.is_empty()).then(|| {
            areas.with_untracked(|list| {
                let chosen: Vec<&Area> = list.iter().filter(|a| picked.contains(&a.code)).collect();
                let ja = chosen.iter().map(|a| a.name_ja.as_str()).collect::<Vec<_>>().join("、");
                let en =
                    chosen.iter().map(|a| if a.name_en.is_empty() { a.name_ja.as_str() } else { a.name_en.as_str() });
                (ja, en.collect::<Vec<_>>().join(", "))
            })
        });
        let given = Blanks { areas: names, place: place.get_untracked(), time: time.get_untracked() };
        let (t_texts, b_texts) = template_texts(t, &given);
        title.set(t_texts);
        body.set(b_texts);
        invalid.set(None);
    };
    // The areas are a blank too: ticking one after choosing the template fills it in (it used to
    // keep 〇〇地区 until the template was chosen again).
    Effect::new(move |_| {
        chosen.track();
        reach.track();
        fill_template();
    });
    // A correction starts from what was sent: HQ changes what was wrong.
    Effect::new(move |_| {
        let Some(n) = correcting.get() else { return };
        chosen_template.set(String::new());
        for s in [place, time] {
            s.set(String::new());
        }
        title.set(n.title.clone());
        body.set(n.body.clone());
        level.set(n.level);
        let (r, codes) = match &n.target {
            NoticeTarget::All => (Reach::All, Vec::new()),
            NoticeTarget::Evacuees => (Reach::Evacuees, Vec::new()),
            NoticeTarget::Areas { areas } => (Reach::Areas, areas.clone()),
        };
        reach.set(r);
        chosen.set(codes);
        confirming.set(None);
        invalid.set(None);
        done.set(None);
        failed.set(None);
        super::scroll_to("compose-h");
        focus("n-title-ja");
    });
    let stop_correcting = move |_| {
        correcting.set(None);
        for s in [title, body] {
            s.set(Localized::default());
        }
        level.set(NoticeLevel::Info);
        reach.set(Reach::All);
        chosen.set(Vec::new());
        focus("compose-h");
    };
    let correcting_note = move || {
        let l = lang.get();
        let t = correcting.with(|c| c.as_ref().map(|c| c.title.get(l.code()).to_owned()))?;
        Some(view! {
            <div class="correcting" role="note">
                <p>{crate::i18n::fill(l.hq().compose_correcting, &[("title", &t)])}</p>
                <button type="button" class="btn btn-secondary btn-inline" on:click=stop_correcting>{l.hq().compose_stop_correcting}</button>
            </div>
        })
    };
    let use_template = move |ev: leptos::ev::Event| {
        chosen_template.set(event_target_value(&ev));
        if let Some(t) = chosen_template.with_untracked(|id| template(id)) {
            level.set(template_level(t.id));
        }
        fill_template();
    };
    let blank_field = move |id: &'static str, label: fn(&HqTr) -> &'static str, value: RwSignal<String>| {
        view! {
            <div class="field" hidden=move || chosen_template.with(String::is_empty)>
                <label for=id>{th(lang, label)}</label>
                <input id=id type="text" autocomplete="off" prop:value=move || value.get()
                    on:input=move |ev| { value.set(event_target_value(&ev)); fill_template(); }/>
            </div>
        }
    };
    let level_radio = move |v: NoticeLevel| {
        view! {
            <label class="check">
                <input type="radio" name="n-level" prop:checked=move || level.get() == v on:change=move |_| level.set(v)/>
                <span>{move || level_label(v, lang.get())}</span>
            </label>
        }
    };

    view! {
        <section class="panel" aria-labelledby="compose-h">
            <h2 id="compose-h" tabindex="-1">{th(lang, |h| h.common_send_notice)}</h2>
            <p class="hint">{th(lang, |h| h.compose_goes_residents_who_turned)}</p>
            <p class="done" id="notice-done" tabindex="-1" role="status">
                {move || done.get().map(|title| {
                    let l = lang.get();
                    crate::i18n::fill(l.hq().compose_sent_title, &[("title", &title)])
                })}
            </p>
            {confirm_panel}
            <form class="form notice-form" on:submit=review novalidate hidden=move || confirming.with(Option::is_some)>
                {correcting_note}
                <div class="field">
                    <label for="n-template">{th(lang, |h| h.compose_start_from_template)}</label>
                    <select id="n-template" aria-describedby="n-template-hint" on:change=use_template>
                        <option value="">{th(lang, |h| h.compose_none)}</option>
                        {crate::i18n::NOTICE_TEMPLATES.iter().map(|t| view! { <option value=t.id>{move || template_label(t.id, lang.get())}</option> }).collect_view()}
                    </select>
                    <span id="n-template-hint" class="hint">{th(lang, |h| h.compose_fills_every_language_choose)}</span>
                </div>
                {blank_field("n-place", |h| h.compose_blank_place, place)}
                {blank_field("n-time", |h| h.compose_blank_time, time)}
                {text_field(lang, Part::Title, "ja", title, invalid)}
                {field_error("invalid_title")}
                {text_field(lang, Part::Title, "en", title, invalid)}
                {text_field(lang, Part::Body, "ja", body, invalid)}
                {field_error("invalid_body")}
                {text_field(lang, Part::Body, "en", body, invalid)}
                <OtherLanguages lang title body invalid/>
                <fieldset class="checks radios">
                    <legend>{th(lang, |h| h.compose_level)}</legend>
                    {level_radio(NoticeLevel::Info)}
                    {level_radio(NoticeLevel::Warning)}
                    {level_radio(NoticeLevel::Emergency)}
                </fieldset>
                <fieldset>
                    <legend>{th(lang, |h| h.compose_send_2)}</legend>
                    <WhoPicker form="n" areas reach chosen areas_label=|h| h.compose_areas_send/>
                    {field_error("invalid_target")}
                </fieldset>
                <button type="submit" class="btn btn-wide">{th(lang, |h| h.compose_review_before_sending)}</button>
            </form>
        </section>
    }
}

// ---- sent notices ------------------------------------------------------------------------
