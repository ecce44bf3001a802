use axum::http::header;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::AdditionalProperties;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder, Schema};
use utoipa::{Modify, OpenApi, PartialSchema};

/// What the document says besides its operations, which come with the routes (`super::routes`).
#[derive(OpenApi)]
#[openapi(
    info(title = "Bōsai mini-app platform API", description = "Residents, shelter staff and disaster HQ. Errors are `Problem` bodies."),
    // ScanRecord: a batch's records admit any value (each is answered on its own), so nothing
    // else brings the record's own schema into the document. The others are named here because
    // their operations answer them as CSV or inside other shapes.
    components(schemas(
        bosai_types::Problem,
        bosai_types::checkin::ScanRecord,
        bosai_types::shelter_import::ShelterImportReport,
        bosai_types::shelter_import::AreaImportReport,
        bosai_types::shelter_import::MunicipalityListReport,
        bosai_types::staff::StaffAccount,
        bosai_types::staff::StaffAccountInput,
        bosai_types::staff::StaffRole,
        bosai_types::hq::PrefectureSummary,
        bosai_types::audit::AuditEntry,
        bosai_types::hq::AwayPerson,
    )),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT (ES256)").build();
        doc.components.get_or_insert_with(Default::default).add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// What every route shares is documented in one place: the errors (they come from one place,
/// `ApiError` and the extractors; each operation gets the ones it can answer unless its own
/// annotation already describes that status — found missing by `scripts/schemathesis.sh`,
/// status-code conformance) and the formats of the path parameters.
struct CommonDocs;

/// Operations that never read the store (no 503).
const STATIC_PATHS: &[&str] = &["/api/openapi.json", "/.well-known/jwks.json"];

fn problem(description: &str) -> RefOr<Response> {
    let content = Content::new(Some(Ref::from_schema_name("Problem")));
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
}

fn add_common_errors(path: &str, op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let in_path: Vec<&str> =
        params.iter().filter(|p| p.parameter_in == ParameterIn::Path).map(|p| p.name.as_str()).collect();
    let has_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let mut add = |status: &str, description: &str| {
        op.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
    };
    if op.request_body.is_some() || !in_path.is_empty() || has_query {
        add("400", "invalid request: malformed JSON, a field of the wrong type or value, or an invalid id or filter");
    }
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        add("401", "no valid bearer token (sign in again); comes with `WWW-Authenticate: Bearer`");
        add("403", "the token's role or scope does not cover this request");
    }
    // A shelter or survey named in the path that does not exist.
    if in_path.iter().any(|p| matches!(*p, "id" | "survey_id")) {
        add("404", "no such shelter or survey");
    }
    if op.request_body.is_some() {
        add("413", "the body is larger than 256 KB");
        add("415", "the body is not sent as `Content-Type: application/json`");
    }
    if !STATIC_PATHS.contains(&path) {
        add("503", "the store is busy or unavailable; retry after `Retry-After` seconds");
    }
}

/// The pattern a string newtype's schema carries (the same rule as its `parse`).
fn pattern_of<T: PartialSchema>() -> String {
    match T::schema() {
        RefOr::T(Schema::Object(o)) => o.pattern.expect("a string newtype with a pattern"),
        _ => unreachable!("string newtypes have object schemas"),
    }
}

/// Path parameters mean the same on every route, so their format (the pattern of the type the
/// handler parses them into) and an example (demo data) are given here once. The examples let
/// a fuzzer's valid requests reach the domain instead of stopping at 400/404.
fn path_format(name: &str) -> Option<(String, &'static str)> {
    Some(match name {
        "id" => (pattern_of::<bosai_types::ShelterId>(), crate::seed::DEMO_STAFF_SHELTER),
        // A 全国地方公共団体コード; its check digit is checked by the handler (400 `invalid_municipality`).
        "code" => ("^[0-9]{6}$".to_owned(), crate::seed::DEMO_MUNICIPALITY),
        "member_id" => (pattern_of::<bosai_types::household::MemberId>(), "self"),
        "survey_id" => (pattern_of::<bosai_types::surveys::SurveyId>(), crate::seed::DEMO_NEEDS_SURVEY),
        // SupplyItem::parse_code: an item, and its allergen or size; the exact codes are the enum.
        "item" => ("^[a-z_]{1,32}(-[a-z_]{1,32})?$".to_owned(), "infant_diaper-m"),
        _ => return None,
    })
}

fn add_path_formats(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten().filter(|p| p.parameter_in == ParameterIn::Path) {
        let Some((pattern, example)) = path_format(&p.name) else { continue };
        if let Some(RefOr::T(Schema::Object(o))) = p.schema.as_mut() {
            // An operation's own pattern wins (removing a member: any id but `self`), and the
            // shared example may not fit it.
            if o.pattern.is_none() {
                o.pattern = Some(pattern);
                o.examples = vec![example.into()];
            }
            if p.name == "item" {
                let codes = bosai_types::supplies::SupplyItem::all().iter().map(|i| i.code().into()).collect();
                o.enum_values = Some(codes);
            }
        }
    }
}

/// Tagged enums declared `#[serde(deny_unknown_fields)]`: serde refuses unknown fields in their
/// struct variants (not in unit variants, whose extra fields it skips). utoipa does not carry
/// the attribute to the variants, so they are closed here; a test checks the list against serde.
const CLOSED_VARIANTS: &[&str] = &["SafetyStatus", "QuestionKind", "AnswerValue", "SurveyScope"];

fn close_struct_variants(doc: &mut utoipa::openapi::OpenApi) {
    let Some(components) = doc.components.as_mut() else { return };
    for name in CLOSED_VARIANTS {
        let Some(RefOr::T(Schema::OneOf(one))) = components.schemas.get_mut(*name) else {
            panic!("{name} is not a tagged enum in the document");
        };
        for variant in one.items.iter_mut() {
            // A struct variant has its fields besides the tag.
            if let RefOr::T(Schema::Object(o)) = variant {
                if o.properties.len() > 1 {
                    o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
    }
}

/// An operation names the guard its handler takes (`["ShelterManager"]`); the document says
/// the roles that guard admits (OpenAPI 3.1: role names in a bearer requirement).
fn guard_to_roles(path: &str, op: &mut Operation) {
    for requirement in op.security.iter_mut().flatten() {
        let named: std::collections::BTreeMap<String, Vec<String>> =
            serde_json::from_value(serde_json::to_value(&*requirement).expect("a requirement serialises"))
                .expect("a requirement is a map of scheme to names");
        let Some(guards) = named.get("bearer") else { continue };
        let roles = guards.iter().flat_map(|g| {
            super::principal::guard_roles(g).unwrap_or_else(|| panic!("{path}: {g} is not a guard of principal.rs"))
        });
        *requirement = SecurityRequirement::new("bearer", roles.map(|r| r.as_str()));
    }
}

impl Modify for CommonDocs {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                guard_to_roles(path, op);
                add_common_errors(path, op);
                add_path_formats(op);
            }
        }
    }
}

pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, operations) = super::routes::all_operations().split_for_parts();
        let mut doc = ApiDoc::openapi();
        doc.merge(operations);
        CommonDocs.modify(&mut doc);
        close_struct_variants(&mut doc);
        doc.to_json().expect("the OpenAPI document serialises")
    })
}

#[utoipa::path(get, path = "/openapi.json", tag = "ops", responses((status = 200, description = "this document")))]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

super::routes::operations!(serve);

#[cfg(test)]
mod tests {
    use super::super::routes::{self, Access};
    use serde_json::Value;

    fn doc() -> Value {
        serde_json::from_str(super::document()).expect("the document is JSON")
    }

    #[test]
    fn shared_errors_are_documented_on_every_route() {
        let doc = doc();
        for r in routes::all() {
            let op = &doc["paths"][&r.path][r.method.to_ascii_lowercase()];
            let documented = |status: &str| op["responses"].get(status).is_some();
            if matches!(r.access, Access::Roles(_)) {
                assert!(op["security"].is_array(), "{} {} has no security", r.method, r.path);
                assert!(documented("401") && documented("403"), "{} {}: 401/403 not documented", r.method, r.path);
            }
            if op.get("requestBody").is_some() {
                for s in ["400", "413", "415"] {
                    assert!(documented(s), "{} {}: {s} not documented", r.method, r.path);
                }
            }
            if !super::STATIC_PATHS.contains(&r.path.as_str()) {
                assert!(documented("503"), "{} {}: 503 not documented", r.method, r.path);
            }
        }
    }

    /// `allOf` with a member that refuses unknown fields can never match: the other
    /// members' fields are unknown to it (how `Needs` used to be documented).
    #[test]
    fn no_all_of_with_a_closed_member() {
        let doc = doc();
        let schemas = &doc["components"]["schemas"];
        let resolve = |v: &Value| -> Value {
            match v["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
                Some(name) => schemas[name].clone(),
                None => v.clone(),
            }
        };
        fn walk(v: &Value, at: &str, check: &dyn Fn(&Value, &str)) {
            match v {
                Value::Object(o) => {
                    check(v, at);
                    o.iter().for_each(|(k, v)| walk(v, &format!("{at}/{k}"), check));
                }
                Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| walk(v, &format!("{at}/{i}"), check)),
                _ => {}
            }
        }
        walk(&doc, "", &|v, at| {
            for member in v["allOf"].as_array().into_iter().flatten() {
                assert_ne!(resolve(member)["additionalProperties"], Value::Bool(false), "unsatisfiable allOf at {at}");
            }
        });
    }

    /// Query-string structs used to be documented as path parameters (utoipa's default).
    #[test]
    fn path_parameters_are_in_the_path() {
        let doc = doc();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let name = p["name"].as_str().unwrap();
                    if p["in"] == "path" {
                        assert!(path.contains(&format!("{{{name}}}")), "{method} {path}: `{name}` is not in the path");
                    }
                }
            }
        }
        let roster = &doc["paths"]["/api/shelters/{id}/roster"]["get"]["parameters"];
        assert!(roster.as_array().unwrap().iter().any(|p| p["name"] == "age_band" && p["in"] == "query"), "{roster}");
    }

    #[test]
    fn path_examples_are_valid_ids() {
        let ex = |name| super::path_format(name).unwrap().1;
        assert!(bosai_types::ShelterId::parse(ex("id")).is_ok());
        assert!(bosai_types::household::MemberId::parse(ex("member_id")).is_ok());
        assert!(bosai_types::surveys::SurveyId::parse(ex("survey_id")).is_ok());
        assert!(bosai_types::supplies::SupplyItem::parse_code(ex("item")).is_some());
        let doc = doc();
        let id = &doc["paths"]["/api/shelters/{id}"]["get"]["parameters"][0]["schema"];
        assert_eq!(
            (id["pattern"].as_str(), id["examples"][0].as_str()),
            (Some("^[a-z0-9-]{1,64}$"), Some("041009-aoba-katahira-es"))
        );
    }

    /// What the handlers refuse is in the document (schemathesis's negative and positive data
    /// checks rely on it, and generated clients check it before sending); a few rules pinned
    /// here against the constants the parsing uses, so they cannot silently disappear.
    #[test]
    fn request_constraints_are_documented() {
        use bosai_types::{checkin, desk, household, needs, schema, shelter, supplies, surveys};
        let doc = doc();
        let schemas = &doc["components"]["schemas"];
        // A shelter id in the path carries ShelterId::parse's rule, from the type's own schema.
        for (path, method) in
            [("/api/shelters/{id}", "get"), ("/api/shelters/{id}/status", "put"), ("/api/shelters/{id}/scans", "post")]
        {
            let id = &doc["paths"][path][method]["parameters"][0];
            assert_eq!(
                (id["name"].as_str(), id["schema"]["pattern"].as_str()),
                (Some("id"), Some("^[a-z0-9-]{1,64}$")),
                "{method} {path}"
            );
        }
        assert_eq!(schemas["ShelterId"]["pattern"], "^[a-z0-9-]{1,64}$");
        assert_eq!(schemas["MemberId"]["pattern"], "^[A-Za-z0-9_-]{1,40}$");
        // A member's name: 1-40 characters once trimmed, no control characters; the same at the desk.
        let name = schema::trimmed_pattern(household::MAX_NAME_CHARS, true);
        assert!(name.contains("{0,38}"), "{name}");
        assert_eq!(schemas["MemberInput"]["properties"]["display_name"]["pattern"], name.as_str());
        assert_eq!(schemas["DeskPerson"]["properties"]["name"]["pattern"], name.as_str());
        assert!(schemas["MemberInput"]["required"].as_array().unwrap().contains(&Value::from("display_name")));
        // Removing a member: any id but `self`.
        let remove = &doc["paths"]["/api/household/members/{member_id}"]["delete"]["parameters"][0]["schema"];
        assert!(remove["pattern"].as_str().unwrap().contains("sel[A-Za-eg-z0-9_-]"), "{remove}");
        let number = |v: &Value| v.as_u64().unwrap_or_else(|| panic!("not a number: {v}")) as usize;
        let needs = &schemas["NeedsInput"]["properties"];
        assert_eq!(number(&needs["other_allergies"]["maxLength"]), needs::MAX_NOTE_CHARS);
        assert_eq!(number(&needs["medical_note"]["maxLength"]), needs::MAX_NOTE_CHARS);
        assert_eq!(needs["allergens"]["uniqueItems"], true);
        let stock = &schemas["StockUpdate"]["properties"];
        assert_eq!(number(&stock["on_hand"]["maximum"]), supplies::MAX_QUANTITY as usize);
        assert_eq!(number(&schemas["Delivery"]["properties"]["quantity"]["maximum"]), supplies::MAX_QUANTITY as usize);
        assert_eq!(
            number(&schemas["ShelterStatusUpdate"]["properties"]["capacity"]["maximum"]),
            shelter::MAX_CAPACITY as usize
        );
        assert_eq!(number(&schemas["ScanBatch"]["properties"]["records"]["maxItems"]), checkin::MAX_BATCH_RECORDS);
        assert_eq!(
            number(&schemas["CredentialRequest"]["properties"]["members"]["maxItems"]),
            checkin::MAX_CREDENTIAL_MEMBERS
        );
        assert_eq!(number(&schemas["DeskRegistration"]["properties"]["people"]["maxItems"]), desk::MAX_DESK_PEOPLE);
        assert_eq!(number(&schemas["NewSurvey"]["properties"]["questions"]["maxItems"]), surveys::MAX_QUESTIONS);
        assert_eq!(
            number(&schemas["NewSurvey"]["properties"]["title"]["properties"]["ja"]["maxLength"]),
            surveys::MAX_TITLE_CHARS
        );
        assert_eq!(
            number(&schemas["Question"]["properties"]["text"]["properties"]["ja"]["maxLength"]),
            surveys::MAX_QUESTION_CHARS
        );
        assert_eq!(schemas["DeleteConfirmation"]["properties"]["confirm"]["enum"], serde_json::json!(["delete"]));
        assert_eq!(schemas["ChallengeRequest"]["properties"]["code_challenge"]["pattern"], "^[A-Za-z0-9_-]{43}$");
        // Supply items: exactly the catalog's codes.
        let item = &doc["paths"]["/api/shelters/{id}/supplies/{item}"]["put"]["parameters"][1]["schema"]["enum"];
        let codes: Vec<String> = supplies::SupplyItem::all().iter().map(supplies::SupplyItem::code).collect();
        assert_eq!(item, &serde_json::json!(codes));
    }

    /// `CLOSED_VARIANTS` against serde: an unknown field in a struct variant of each is refused,
    /// and the document says so for struct variants only.
    #[test]
    fn closed_variants_refuse_unknown_fields() {
        use bosai_types::{
            safety::SafetyStatus,
            surveys::{AnswerValue, QuestionKind, SurveyScope},
        };
        use serde_json::{from_value, json};
        fn refuses<T: serde::de::DeserializeOwned>(mut v: Value) -> bool {
            assert!(from_value::<T>(v.clone()).is_ok(), "{v}");
            v["unknown"] = json!(1);
            from_value::<T>(v).is_err()
        }
        let checked = [
            ("SafetyStatus", refuses::<SafetyStatus>(json!({"status": "elsewhere", "place": "car"}))),
            ("QuestionKind", refuses::<QuestionKind>(json!({"type": "number", "min": 0, "max": 9}))),
            ("AnswerValue", refuses::<AnswerValue>(json!({"type": "number", "value": 3}))),
            ("SurveyScope", refuses::<SurveyScope>(json!({"type": "areas", "areas": ["aoba-1"]}))),
        ];
        assert_eq!(checked.map(|(name, _)| name), super::CLOSED_VARIANTS);
        assert!(checked.iter().all(|(_, refused)| *refused), "{checked:?}");
        // Unit variants take extra fields (serde skips them), so they stay open.
        assert!(from_value::<SafetyStatus>(json!({"status": "safe_at_home", "unknown": 1})).is_ok());
        let doc = doc();
        for name in super::CLOSED_VARIANTS {
            for v in doc["components"]["schemas"][name]["oneOf"].as_array().unwrap() {
                let fields = v["properties"].as_object().unwrap().len();
                assert_eq!(v.get("additionalProperties") == Some(&Value::Bool(false)), fields > 1, "{name}: {v}");
            }
        }
    }

    #[test]
    fn stored_needs_match_their_schema() {
        let doc = doc();
        let schema = &doc["components"]["schemas"]["Needs"];
        let needs = bosai_types::needs::Needs { needs: Default::default(), updated_at: bosai_types::Timestamp(1) };
        let Value::Object(body) = serde_json::to_value(needs).unwrap() else { panic!("an object") };
        for key in body.keys() {
            assert!(schema["properties"].get(key).is_some(), "{key} is not in the Needs schema: {schema}");
        }
        assert!(schema["required"].as_array().unwrap().contains(&Value::from("updated_at")));
    }
}
