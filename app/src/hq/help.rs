//! Open requests for help (助けが必要), for HQ to act on.

use crate::i18n::tp;
use crate::use_lang;
use bosai_types::household::HelpRequest;
use leptos::prelude::*;

#[component]
pub(crate) fn HelpList(help: RwSignal<Option<Vec<HelpRequest>>>) -> impl IntoView {
    let lang = use_lang();
    let body = move || {
        let l = lang.get();
        help.with(|h| match h {
            None => view! { <p class="muted">{l.tr().loading}</p> }.into_any(),
            Some(h) if h.is_empty() => view! { <p class="muted">{l.pick("未対応の救助要請はありません。", "No open requests for help.")}</p> }.into_any(),
            Some(h) => view! {
                <ul class="help-list">
                    {h.iter().map(|r| {
                        let born = r.birth_year.map(|y| if l.is_ja() { format!("（{y}年生まれ）") } else { format!(" (born {y})") });
                        view! {
                            <li class="card help-request" data-report=r.report_id.clone()>
                                <h3><span lang="ja">{r.member_name.clone()}</span>{born}</h3>
                                <dl class="facts">
                                    <div><dt>{l.pick("必要な支援", "Help needed")}</dt><dd lang="ja">{r.what.clone()}</dd></div>
                                    <div><dt>{l.pick("いる場所", "Where")}</dt><dd lang="ja">{r.location.clone()}</dd></div>
                                    <div><dt>{l.pick("報告時刻", "Reported")}</dt><dd>{l.format_time(r.reported_at)}</dd></div>
                                </dl>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="help-h">
            <h2 id="help-h">{tp(lang, "救助・支援の要請（未対応）", "Open requests for help")}</h2>
            <p class="hint">{tp(lang, "住民が「助けが必要」と報告した人です。次の報告があると一覧から外れます。", "People reported as needing help; they leave the list with their next report.")}</p>
            {body}
        </section>
    }
}
