use crate::clock::now_millis;
use crate::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bosai_types::made::{Made, MADE_AT_HEADER, SENT_AT_HEADER};
use bosai_types::Timestamp;
use serde::de::DeserializeOwned;

/// `Json<T>` whose rejections are our JSON problems instead of axum's plain text.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(rejection(rej)),
        }
    }
}

/// `Path<T>` whose rejections are our JSON problems instead of axum's plain text: a segment
/// that is not UTF-8 once percent-decoded (`/api/shelters/%FF`) is a 400 `invalid_path`.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(rej) if rej.status() == StatusCode::BAD_REQUEST => {
                Err(ApiError::invalid("invalid_path", "アドレスの形式が正しくありません。").into_response())
            }
            // A route and handler that disagree on parameters is our bug, not the caller's: axum's 500 stays.
            Err(rej) => Err(rej.into_response()),
        }
    }
}

/// When a queued write was made on the device ([`bosai_types::made`]): stamped on arrival.
/// Without the headers it was made now; malformed ones are a 400 `invalid_made_at`.
pub struct MadeAt(pub Made);

impl<S: Send + Sync> FromRequestParts<S> for MadeAt {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let header = |name| parts.headers.get(name).map(|v| v.to_str().unwrap_or("?"));
        let device = Made::parse_headers(header(MADE_AT_HEADER), header(SENT_AT_HEADER))
            .map_err(|e| ApiError::invalid("invalid_made_at", e.message_ja()))?;
        // Issue 15's incidents will pass their start as the floor.
        Ok(MadeAt(Made::stamp(device, Timestamp(now_millis()), None)))
    }
}

/// The two headers, documented once for every route that takes them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct DeviceTimesHeaders {
    /// When the write was made, by the device's clock (ms since 1970). Send with `Bosai-Sent-At`.
    #[param(rename = "Bosai-Made-At", minimum = 0)]
    made_at: Option<i64>,
    /// When the device sent it, by the same clock: their difference is how long it waited.
    #[param(rename = "Bosai-Sent-At", minimum = 0)]
    sent_at: Option<i64>,
}

/// A whole uploaded file (CSV) of at most `crate::http::admin::IMPORT_LIMIT` bytes; larger is a 413 problem.
pub struct FileBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for FileBody {
    type Rejection = ApiError;

    /// Reads up to its own limit: files are larger than the JSON bodies `DefaultBodyLimit` is for.
    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let limit = crate::http::admin::IMPORT_LIMIT;
        match axum::body::to_bytes(req.into_body(), limit).await {
            Ok(b) => Ok(FileBody(b)),
            Err(e) if is_too_long(&e) => Err(ApiError::PayloadTooLarge { limit }),
            Err(_) => Err(ApiError::invalid("unreadable_body", "送信データを読み取れませんでした。")),
        }
    }
}

fn is_too_long(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// `?apply=true|false` (default false: preview only).
pub struct ApplyFlag(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for ApplyFlag {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let mut apply = false;
        for pair in parts.uri.query().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            apply = match pair {
                "apply=true" => true,
                "apply=false" => false,
                _ => {
                    return Err(ApiError::invalid(
                        "invalid_query",
                        "指定できるのは apply=true か apply=false だけです。",
                    ))
                }
            };
        }
        Ok(ApplyFlag(apply))
    }
}

/// `?municipality={code}` on a public list (areas, shelters): one the deployment serves, or the
/// deployment's own when left out. Not a code with its check digit: 400.
pub struct MunicipalityParam(pub Option<bosai_types::MunicipalityCode>);

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MunicipalityQuery {
    /// 全国地方公共団体コード of a served municipality; the deployment's own when left out.
    #[param(value_type = Option<String>, pattern = "^[0-9]{6}$")]
    pub municipality: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for MunicipalityParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &S) -> Result<Self, ApiError> {
        let bad = || ApiError::invalid("invalid_municipality", "市区町村コード（6桁）が正しくありません。");
        let axum::extract::Query(q) =
            axum::extract::Query::<MunicipalityQuery>::from_request_parts(parts, st).await.map_err(|_| bad())?;
        q.municipality
            .map(|raw| bosai_types::MunicipalityCode::parse(&raw).map_err(|_| bad()))
            .transpose()
            .map(MunicipalityParam)
    }
}

fn rejection(rej: JsonRejection) -> ApiError {
    match rej {
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
        // serde names the field and the expected type, which is what the caller must fix.
        JsonRejection::JsonDataError(e) => ApiError::invalid(
            "invalid_field",
            "入力内容に誤りがあります。項目の形式を確認してください。",
        )
        .with("detail", e.body_text().trim_start_matches("Failed to deserialize the JSON body into the target type: ")),
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::invalid("malformed_json", "送信データの形式（JSON）が正しくありません。")
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge { limit: crate::http::BODY_LIMIT }
        }
        _ => ApiError::invalid("unreadable_body", "送信データを読み取れませんでした。"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::Router;
    use tower::ServiceExt;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Body1 {
        count: u32,
    }

    async fn send(body: &'static [u8], content_type: Option<&str>) -> (StatusCode, serde_json::Value) {
        async fn h(ApiJson(_): ApiJson<Body1>) -> &'static str {
            "ok"
        }
        let app = Router::new()
            .route("/x", axum::routing::post(h))
            .layer(axum::extract::DefaultBodyLimit::max(crate::http::BODY_LIMIT));
        let mut req = axum::http::Request::post("/x");
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = app.oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    #[tokio::test]
    async fn bad_path_segments_are_problems() {
        async fn h(ApiPath(id): ApiPath<String>) -> String {
            id
        }
        let app = Router::new().route("/x/{id}", axum::routing::get(h));
        for (uri, status) in
            [("/x/ok", StatusCode::OK), ("/x/%E3%81%82", StatusCode::OK), ("/x/%FF", StatusCode::BAD_REQUEST)]
        {
            let res = app.clone().oneshot(axum::http::Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(res.status(), status, "{uri}");
            if status == StatusCode::BAD_REQUEST {
                assert_eq!(res.headers()["content-type"], "application/json");
                let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
                let b: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(b["code"], "invalid_path");
            }
        }
    }

    #[tokio::test]
    async fn rejections_are_problems() {
        let j = Some("application/json");
        assert_eq!(send(b"{\"count\": 3}", j).await.0, StatusCode::OK);
        let (s, b) = send(b"{\"count\": ", j).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
        let (s, b) = send(b"{\"count\": \"three\"}", j).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_field")));
        assert!(b["params"]["detail"].as_str().unwrap().starts_with("count:"), "{b}");
        let (s, b) = send(b"{\"count\": 3}", None).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")));
        let big: &'static [u8] = Box::leak(vec![b' '; crate::http::BODY_LIMIT + 10].into_boxed_slice());
        let (s, b) = send(big, j).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
    }
}
