//! The simulated companion step, in the local stack only: a plainly labelled
//! page where a tester picks a demo card and "signs" the challenge. Production
//! builds have no such route; there the native app reads the real card.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use bosai_companion::dev::DevIdentity;
use bosai_core::AppState;
use std::sync::Arc;

#[derive(Clone)]
pub struct CompanionState {
    pub app: AppState,
    pub identity: Arc<DevIdentity>,
}

#[derive(serde::Deserialize)]
pub struct Start {
    nonce: String,
    redirect_uri: String,
}

#[derive(serde::Deserialize)]
pub struct Sign {
    nonce: String,
    card: String,
    #[serde(default)]
    share_basic_four: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn page(body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>模擬カード（テスト用） / Simulated card</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:1rem auto;padding:0 1rem;line-height:1.6}}
.warn{{background:#fff3cd;border:2px solid #8a6d00;padding:.75rem;border-radius:.5rem}}
label{{display:block;padding:.75rem;border:1px solid #888;border-radius:.5rem;margin:.5rem 0;min-height:44px}}
button{{font-size:1.1rem;padding:.8rem 1.2rem;min-height:48px;width:100%;background:#0b5394;color:#fff;border:0;border-radius:.5rem}}</style>
</head><body><main>{body}</main></body></html>"#
    ))
}

pub async fn start(State(st): State<CompanionState>, Query(q): Query<Start>) -> Response {
    if !st.app.auth.redirect_uris.contains(&q.redirect_uri)
        || !q.nonce.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return (StatusCode::BAD_REQUEST, page("<p>この依頼は正しくありません。/ This request is not valid.</p>"))
            .into_response();
    }
    let cards: String = st
        .identity
        .cards
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            let name = match label.as_str() {
                "taro" => "防災 太郎（デモ）",
                "hanako" => "防災 花子（デモ）",
                other => other,
            };
            let checked = if i == 0 { " checked" } else { "" };
            format!(
                r#"<label><input type="radio" name="card" value="{l}"{checked}> {n}</label>"#,
                l = escape(label),
                n = escape(name)
            )
        })
        .collect();
    page(&format!(
        r#"<h1>模擬マイナンバーカード</h1>
<p class="warn" role="note"><strong>テスト用の画面です。</strong>本番では公式アプリがカードを読み取ります。<br>
<span lang="en">Simulated card — local test stack only. In production the companion app reads the real card.</span></p>
<form method="post" action="/dev/companion">
<input type="hidden" name="nonce" value="{nonce}">
<fieldset><legend>カードを選ぶ / Choose a card</legend>{cards}</fieldset>
<label><input type="checkbox" name="share_basic_four" value="yes" checked> 氏名・住所・生年月日・性別を提供する（署名用電子証明書）<br><span lang="en">Share name, address, date of birth and sex</span></label>
<button type="submit">この模擬カードで署名する / Sign with this card</button>
</form>"#,
        nonce = escape(&q.nonce),
    ))
    .into_response()
}

pub async fn sign(State(st): State<CompanionState>, Form(f): Form<Sign>) -> Response {
    let result = async {
        let card = st.identity.card(&f.card).map_err(|e| e.to_string())?;
        let submission = card.submission(&f.nonce, f.share_basic_four.is_some()).map_err(|e| e.to_string())?;
        let now = bosai_core::clock::now_seconds();
        bosai_core::domain::auth::submit_jpki(
            st.app.store.as_ref(),
            &st.app.auth,
            &st.app.config.municipality,
            submission,
            now,
        )
        .await
        .map_err(|e| e.problem().1.message)
    }
    .await;
    match result {
        Ok(done) => (StatusCode::SEE_OTHER, [(header::LOCATION, done.redirect_to)]).into_response(),
        Err(msg) => (
            StatusCode::BAD_REQUEST,
            page(&format!("<p role=\"alert\">{}</p><p><a href=\"/\">戻る / Back</a></p>", escape(&msg))),
        )
            .into_response(),
    }
}
