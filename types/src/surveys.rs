//! Needs surveys (ニーズ調査): definitions, questions, answers, validation shared with the PWA.
//!
//! HQ defines a survey ([`NewSurvey`], checked by [`NewSurvey::validate`]); a resident answers it
//! ([`SurveyAnswer`], checked by [`validate_answer`]) once per [`Period`] and may amend until it closes.
//! The server and the app run the same checks, so the app can show the server's message before sending.

mod json;
mod templates;
mod to_answer;

pub use templates::SurveyTemplate;
pub use to_answer::{Schedule, SurveyToAnswer};

use crate::{MunicipalityCode, ShelterId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest free-text answer, in characters.
pub const MAX_FREE_TEXT: usize = 500;
/// Longest "other" text of a multiple-choice answer, in characters.
pub const MAX_OTHER_TEXT: usize = 200;
/// Questions per survey: each answered question updates one totals item in the
/// answer's transaction, which DynamoDB caps at 100 items.
pub const MAX_QUESTIONS: usize = 40;
pub const MAX_OPTIONS: usize = 30;
/// Areas or shelters in a survey's scope.
pub const MAX_SCOPE_ENTRIES: usize = 200;
pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_QUESTION_CHARS: usize = 300;
pub const MAX_LABEL_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be 1-{max} characters of a-z, 0-9 and '{extra}'")]
pub struct BadId {
    pub what: &'static str,
    pub max: usize,
    pub extra: char,
}

// Ids end up inside table keys (`SURVEY#{id}`, `ANSWER#{period}#{sub}`), so '#' and
// anything else outside a small alphabet are refused at the edge.
macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal, $extra:literal, $pattern:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(pattern = $pattern))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, BadId> {
                let ok = !s.is_empty()
                    && s.len() <= $max
                    && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || char::from(b) == $extra);
                if ok {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(BadId { what: $what, max: $max, extra: $extra })
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = BadId;
            fn try_from(s: String) -> Result<Self, BadId> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use slug_id;

slug_id!(
    /// Chosen by the HQ editor when it creates a survey (e.g. a UUID), so a retried create is recognised.
    SurveyId, "survey id", 64, '-', "^[a-z0-9-]{1,64}$"
);
slug_id!(
    /// Question id within a survey, e.g. `needs`, `diaper_size`.
    QuestionId, "question id", 32, '_', "^[a-z0-9_]{1,32}$"
);
slug_id!(
    /// Option id within a choice question, e.g. `water`, `infant_m`.
    OptionId, "option id", 32, '_', "^[a-z0-9_]{1,32}$"
);
slug_id!(
    /// A residential area (地区) of the municipality, as the resident registers it.
    AreaCode, "area code", 32, '-', "^[a-z0-9-]{1,32}$"
);

#[cfg(feature = "openapi")]
pub(crate) use crate::localized::schema as localized;
pub use crate::localized::Localized;

#[cfg(feature = "openapi")]
fn title_text() -> utoipa::openapi::schema::Object {
    localized(MAX_TITLE_CHARS, false)
}
#[cfg(feature = "openapi")]
fn question_text() -> utoipa::openapi::schema::Object {
    localized(MAX_QUESTION_CHARS, false)
}
#[cfg(feature = "openapi")]
fn label_text() -> utoipa::openapi::schema::Object {
    localized(MAX_LABEL_CHARS, false)
}
#[cfg(feature = "openapi")]
fn unit_text() -> utoipa::openapi::schema::Object {
    localized(MAX_LABEL_CHARS, true)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub id: OptionId,
    #[cfg_attr(feature = "openapi", schema(schema_with = label_text))]
    pub label: Localized,
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", try_from = "json::QuestionKindJson")]
pub enum QuestionKind {
    /// Exactly one option.
    SingleChoice {
        /// 1 to 30 options with different ids.
        #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 30))]
        options: Vec<ChoiceOption>,
    },
    /// Any of the options; with `allow_other`, also a free "other" text (≤ 200 characters).
    MultipleChoice {
        /// 1 to 30 options with different ids.
        #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 30))]
        options: Vec<ChoiceOption>,
        #[serde(default)]
        allow_other: bool,
    },
    /// A whole number from `min` to `max` inclusive, e.g. a count of diapers 0–99.
    Number {
        /// At most `max`.
        #[serde(deserialize_with = "crate::whole::deserialize")]
        #[cfg_attr(feature = "openapi", schema(minimum = -2147483648, maximum = 2147483647))]
        min: i32,
        #[serde(deserialize_with = "crate::whole::deserialize")]
        #[cfg_attr(feature = "openapi", schema(minimum = -2147483648, maximum = 2147483647))]
        max: i32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(schema_with = unit_text))]
        unit: Option<Box<Localized>>,
    },
    /// Free text, at most 500 characters.
    FreeText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: QuestionId,
    #[cfg_attr(feature = "openapi", schema(schema_with = question_text))]
    pub text: Localized,
    #[serde(default)]
    pub required: bool,
    pub kind: QuestionKind,
}

/// Who is asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", try_from = "json::SurveyScopeJson")]
pub enum SurveyScope {
    /// Every resident of the municipality.
    All,
    /// Residents registered in one of these areas.
    Areas {
        #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 200))]
        areas: Vec<AreaCode>,
    },
    /// Evacuees checked in at one of these shelters (wherever they live).
    Shelters {
        #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 200))]
        shelters: Vec<ShelterId>,
    },
    /// Everyone checked in at any of the municipality's shelters, wherever they live (広域避難:
    /// evacuees from other municipalities too).
    Evacuees,
}

/// How often a resident answers: once, or once per Japanese calendar day (e.g. a daily health check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    Once,
    Daily,
}

pub use crate::time::{JstDate, MS_PER_DAY};

/// The answering period: a resident has at most one answer per survey and period.
/// Serialised as `"once"` or the JST date `"YYYY-MM-DD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Once,
    Day(JstDate),
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Period {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("\"once\", or the Japanese calendar date YYYY-MM-DD of a daily survey (a real date: the pattern lets February 30 through, `Period::parse` does not)"))
            .pattern(Some("^(once|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))$"))
            .examples(["2026-11-23"])
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Period {}

impl Period {
    pub fn of(recurrence: Recurrence, now: Timestamp) -> Self {
        match recurrence {
            Recurrence::Once => Period::Once,
            Recurrence::Daily => Period::Day(JstDate::of(now)),
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        if s == "once" {
            Some(Period::Once)
        } else {
            JstDate::parse(s).map(Period::Day)
        }
    }
    /// Whether this period can belong to a survey with this recurrence.
    pub fn fits(self, recurrence: Recurrence) -> bool {
        matches!((self, recurrence), (Period::Once, Recurrence::Once) | (Period::Day(_), Recurrence::Daily))
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Once => f.write_str("once"),
            Period::Day(d) => d.fmt(f),
        }
    }
}

impl TryFrom<String> for Period {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Period::parse(&s).ok_or("period must be \"once\" or a date YYYY-MM-DD")
    }
}
impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// `POST /api/hq/surveys`: what HQ defines. The municipality is the caller's.
/// Sending the same body again is a no-op; the same id with a different body is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSurvey {
    pub id: SurveyId,
    #[cfg_attr(feature = "openapi", schema(schema_with = title_text))]
    pub title: Localized,
    /// 1 to 40 questions with different ids.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 40))]
    pub questions: Vec<Question>,
    pub scope: SurveyScope,
    pub recurrence: Recurrence,
    /// Defaults to the time the survey is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<Timestamp>,
    /// None: open until HQ closes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<Timestamp>,
}

/// A survey as stored and shown to HQ and residents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Survey {
    pub id: SurveyId,
    pub municipality: MunicipalityCode,
    pub title: Localized,
    pub questions: Vec<Question>,
    pub scope: SurveyScope,
    pub recurrence: Recurrence,
    pub opens_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<Timestamp>,
    /// Set when HQ closed the survey early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// The incident (災害・訓練) open for the municipality when HQ created it: its answers are
    /// deleted with the incident's personal data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// Created during a drill (訓練): the drill's name. Closed, and its answers deleted, when the
    /// drill ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SurveyState {
    /// Not open yet.
    Scheduled,
    Open,
    Closed,
}

impl Survey {
    pub fn schedule(&self) -> Schedule {
        Schedule {
            recurrence: self.recurrence,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            closed_at: self.closed_at,
        }
    }

    pub fn state(&self, now: Timestamp) -> SurveyState {
        self.schedule().state(now)
    }

    /// The period an answer sent at `now` belongs to.
    pub fn period(&self, now: Timestamp) -> Period {
        self.schedule().period(now)
    }

    /// Whether an answer may be sent or amended at `now` (scope is checked by the server).
    pub fn accepts_answers(&self, now: Timestamp) -> Result<(), AnswerError> {
        self.schedule().accepts_answers(now)
    }

    pub fn question(&self, id: &QuestionId) -> Option<&Question> {
        self.questions.iter().find(|q| &q.id == id)
    }
}

/// One question's answer; `type` must match the question's kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", try_from = "json::AnswerValueJson")]
pub enum AnswerValue {
    SingleChoice {
        option: OptionId,
    },
    MultipleChoice {
        #[serde(default)]
        options: Vec<OptionId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(schema_with = other_text))]
        other: Option<String>,
    },
    Number {
        #[serde(deserialize_with = "crate::whole::deserialize")]
        #[cfg_attr(feature = "openapi", schema(minimum = -2147483648, maximum = 2147483647))]
        value: i32,
    },
    FreeText {
        #[cfg_attr(feature = "openapi", schema(schema_with = free_text))]
        text: String,
    },
}

#[cfg(feature = "openapi")]
fn other_text() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    let mut o = crate::schema::optional_trimmed(
        MAX_OTHER_TEXT,
        "the \"other\" text: at most 200 characters once trimmed; blank = none",
    );
    o.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    o
}
#[cfg(feature = "openapi")]
fn free_text() -> utoipa::openapi::schema::Object {
    crate::schema::optional_trimmed(MAX_FREE_TEXT, "at most 500 characters once trimmed; blank = not answered")
}

/// `PUT /api/surveys/{survey_id}/answer`: the resident's answers for the current period, by question id.
/// Leave out questions that are not answered. Sending it again replaces the previous answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswer {
    pub answers: BTreeMap<QuestionId, AnswerValue>,
}

/// The resident's stored answer for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyAnswer {
    pub survey_id: SurveyId,
    pub period: Period,
    pub answers: BTreeMap<QuestionId, AnswerValue>,
    pub answered_at: Timestamp,
    /// Last amendment (equal to `answered_at` until amended). Both are when the resident
    /// made them on the phone ([`crate::made`]).
    pub updated_at: Timestamp,
    /// When the server received the last amendment.
    #[serde(default)]
    pub received_at: Option<Timestamp>,
}

/// `GET /api/surveys` item: a survey open for the resident now, with their answer for the current period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenSurvey {
    pub survey: SurveyToAnswer,
    pub period: Period,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_answer: Option<MyAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionCount {
    pub option: OptionId,
    pub count: i64,
}

/// Counts for one question in one period. Free-text answers are counted, never aggregated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionTotals {
    pub question: QuestionId,
    /// Residents who answered this question.
    pub answered: i64,
    /// Choice questions: every option, in the survey's order, with zero counts too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionCount>,
    /// Multiple choice with "other": answers that gave an "other" text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<i64>,
    /// Number questions: the sum of the answered values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<i64>,
}

/// `GET /api/hq/surveys/{survey_id}/totals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyTotals {
    pub survey_id: SurveyId,
    pub period: Period,
    /// Residents who answered in this period.
    pub respondents: i64,
    pub questions: Vec<QuestionTotals>,
}

// ---------------------------------------------------------------------------
// Validation

/// Why an answer is refused. `code()` is the API's stable code; `question()` lets the app
/// highlight the field; the messages name the question in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    NotOpenYet,
    Closed,
    UnknownQuestion(String),
    // The question's text is boxed: it holds every language, and the error travels in `Result`s.
    MissingRequired(QuestionId, Box<Localized>),
    WrongType(QuestionId, Box<Localized>),
    UnknownOption(QuestionId, Box<Localized>),
    OtherNotAllowed(QuestionId, Box<Localized>),
    OtherTooLong(QuestionId, Box<Localized>),
    OutOfRange { question: QuestionId, text: Box<Localized>, min: i32, max: i32 },
    TextTooLong(QuestionId, Box<Localized>),
}

impl AnswerError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotOpenYet => "survey_not_open",
            Self::Closed => "survey_closed",
            Self::UnknownQuestion(_) => "unknown_question",
            Self::MissingRequired(..) => "answer_required",
            Self::WrongType(..) => "answer_wrong_type",
            Self::UnknownOption(..) => "unknown_option",
            Self::OtherNotAllowed(..) => "other_not_allowed",
            Self::OtherTooLong(..) => "other_too_long",
            Self::OutOfRange { .. } => "number_out_of_range",
            Self::TextTooLong(..) => "text_too_long",
        }
    }

    pub fn question(&self) -> Option<&QuestionId> {
        match self {
            Self::NotOpenYet | Self::Closed | Self::UnknownQuestion(_) => None,
            Self::MissingRequired(q, _)
            | Self::WrongType(q, _)
            | Self::UnknownOption(q, _)
            | Self::OtherNotAllowed(q, _)
            | Self::OtherTooLong(q, _)
            | Self::TextTooLong(q, _) => Some(q),
            Self::OutOfRange { question, .. } => Some(question),
        }
    }

    /// What a message about this error names, for a reader of language `reader`: the question
    /// (in the reader's language, as `Localized::get` resolves it) and the limits. The apps word
    /// the error from `code()` and these.
    pub fn params(&self, reader: &str) -> Vec<(&'static str, String)> {
        match self {
            Self::NotOpenYet | Self::Closed | Self::UnknownQuestion(_) => vec![],
            Self::MissingRequired(_, q)
            | Self::WrongType(_, q)
            | Self::UnknownOption(_, q)
            | Self::OtherNotAllowed(_, q) => {
                vec![("question", q.get(reader).to_owned())]
            }
            Self::OtherTooLong(_, q) => {
                vec![("question", q.get(reader).to_owned()), ("max", MAX_OTHER_TEXT.to_string())]
            }
            Self::TextTooLong(_, q) => vec![("question", q.get(reader).to_owned()), ("max", MAX_FREE_TEXT.to_string())],
            Self::OutOfRange { text, min, max, .. } => {
                vec![("question", text.get(reader).to_owned()), ("min", min.to_string()), ("max", max.to_string())]
            }
        }
    }

    pub fn message(&self, ja: bool) -> String {
        let t = |text: &Localized| text.get(if ja { "ja" } else { "en" }).to_owned();
        match (self, ja) {
            (Self::NotOpenYet, false) => "This survey is not open yet. Try again when it opens.".into(),
            (Self::NotOpenYet, true) => "この調査はまだ始まっていません。開始後に回答してください。".into(),
            (Self::Closed, false) => "This survey is closed; answers can no longer be sent or changed.".into(),
            (Self::Closed, true) => "この調査は締め切られました。回答の送信・変更はできません。".into(),
            (Self::UnknownQuestion(q), false) => {
                format!("The survey has no question '{q}'. Reload the survey and answer again.")
            }
            (Self::UnknownQuestion(_), true) => {
                "調査にない質問への回答が含まれています。調査を読み込み直して回答してください。".into()
            }
            (Self::MissingRequired(_, q), false) => format!("Answer the required question \"{}\".", t(q)),
            (Self::MissingRequired(_, q), true) => format!("必須の質問「{}」に回答してください。", t(q)),
            (Self::WrongType(_, q), false) => {
                format!("The answer to \"{}\" is of the wrong kind. Reload the survey and answer again.", t(q))
            }
            (Self::WrongType(_, q), true) => {
                format!("「{}」への回答の形式が違います。調査を読み込み直して回答してください。", t(q))
            }
            (Self::UnknownOption(_, q), false) => format!("Choose one of the listed options for \"{}\".", t(q)),
            (Self::UnknownOption(_, q), true) => format!("「{}」は表示された選択肢から選んでください。", t(q)),
            (Self::OtherNotAllowed(_, q), false) => {
                format!("\"{}\" has no \"other\" field; choose from the options.", t(q))
            }
            (Self::OtherNotAllowed(_, q), true) => {
                format!("「{}」には「その他」の記入欄はありません。選択肢から選んでください。", t(q))
            }
            (Self::OtherTooLong(_, q), false) => {
                format!("Keep \"other\" for \"{}\" to {MAX_OTHER_TEXT} characters.", t(q))
            }
            (Self::OtherTooLong(_, q), true) => {
                format!("「{}」の「その他」は{MAX_OTHER_TEXT}文字以内で入力してください。", t(q))
            }
            (Self::OutOfRange { text, min, max, .. }, false) => {
                format!("Enter a whole number from {min} to {max} for \"{}\".", t(text))
            }
            (Self::OutOfRange { text, min, max, .. }, true) => {
                format!("「{}」は{min}〜{max}の整数で入力してください。", t(text))
            }
            (Self::TextTooLong(_, q), false) => {
                format!("Keep the answer to \"{}\" to {MAX_FREE_TEXT} characters.", t(q))
            }
            (Self::TextTooLong(_, q), true) => format!("「{}」は{MAX_FREE_TEXT}文字以内で入力してください。", t(q)),
        }
    }
}

impl std::fmt::Display for AnswerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(false))
    }
}

fn blank_to_none(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Checks an answer against the questions and returns it normalised: blank texts and empty
/// selections count as not answered (and are dropped), texts are trimmed, selections put in
/// the question's order and de-duplicated. The server stores exactly what this returns.
pub fn validate_answer(questions: &[Question], answer: &SurveyAnswer) -> Result<SurveyAnswer, AnswerError> {
    if let Some(q) = answer.answers.keys().find(|id| !questions.iter().any(|q| &q.id == *id)) {
        return Err(AnswerError::UnknownQuestion(q.to_string()));
    }
    let mut out = BTreeMap::new();
    for q in questions {
        let (id, text) = (q.id.clone(), Box::new(q.text.clone()));
        let given = answer.answers.get(&q.id);
        let known = |o: &OptionId, options: &[ChoiceOption]| options.iter().any(|c| &c.id == o);
        let normalised = match (&q.kind, given) {
            (_, None) => None,
            (QuestionKind::SingleChoice { options }, Some(AnswerValue::SingleChoice { option })) => {
                if !known(option, options) {
                    return Err(AnswerError::UnknownOption(id, text));
                }
                Some(AnswerValue::SingleChoice { option: option.clone() })
            }
            (
                QuestionKind::MultipleChoice { options, allow_other },
                Some(AnswerValue::MultipleChoice { options: chosen, other }),
            ) => {
                if chosen.iter().any(|o| !known(o, options)) {
                    return Err(AnswerError::UnknownOption(id, text));
                }
                let other = blank_to_none(other);
                match &other {
                    Some(_) if !allow_other => return Err(AnswerError::OtherNotAllowed(id, text)),
                    Some(o) if o.chars().count() > MAX_OTHER_TEXT => return Err(AnswerError::OtherTooLong(id, text)),
                    _ => {}
                }
                // In the question's order, each once (no sort: its code is 4 KB of the survey page).
                let chosen: Vec<OptionId> =
                    options.iter().filter(|o| chosen.contains(&o.id)).map(|o| o.id.clone()).collect();
                (!chosen.is_empty() || other.is_some())
                    .then_some(AnswerValue::MultipleChoice { options: chosen, other })
            }
            (QuestionKind::Number { min, max, .. }, Some(AnswerValue::Number { value })) => {
                if !(*min..=*max).contains(value) {
                    return Err(AnswerError::OutOfRange { question: id, text, min: *min, max: *max });
                }
                Some(AnswerValue::Number { value: *value })
            }
            (QuestionKind::FreeText, Some(AnswerValue::FreeText { text: t })) => {
                let t = t.trim();
                if t.chars().count() > MAX_FREE_TEXT {
                    return Err(AnswerError::TextTooLong(id, text));
                }
                (!t.is_empty()).then(|| AnswerValue::FreeText { text: t.to_owned() })
            }
            (_, Some(_)) => return Err(AnswerError::WrongType(id, text)),
        };
        match normalised {
            Some(v) => {
                out.insert(q.id.clone(), v);
            }
            None if q.required => return Err(AnswerError::MissingRequired(q.id.clone(), Box::new(q.text.clone()))),
            None => {}
        }
    }
    Ok(SurveyAnswer { answers: out })
}

/// Why a survey definition is refused: a stable code, the question concerned if any, and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub code: &'static str,
    pub question: Option<QuestionId>,
    pub en: String,
    pub ja: String,
}

impl std::fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

fn def_err(
    code: &'static str,
    question: Option<&QuestionId>,
    en: impl Into<String>,
    ja: impl Into<String>,
) -> DefinitionError {
    DefinitionError { code, question: question.cloned(), en: en.into(), ja: ja.into() }
}

fn check_text(
    t: &Localized,
    max: usize,
    what: &str,
    what_ja: &str,
    q: Option<&QuestionId>,
) -> Result<(), DefinitionError> {
    if t.ja.trim().is_empty() {
        return Err(def_err(
            "missing_text",
            q,
            format!("Enter the Japanese {what}."),
            format!("{what_ja}（日本語）を入力してください。"),
        ));
    }
    if t.longest() > max {
        return Err(def_err(
            "text_too_long",
            q,
            format!("Keep the {what} to {max} characters."),
            format!("{what_ja}は{max}文字以内で入力してください。"),
        ));
    }
    Ok(())
}

fn check_options(q: &Question, options: &[ChoiceOption]) -> Result<(), DefinitionError> {
    let id = Some(&q.id);
    if options.is_empty() || options.len() > MAX_OPTIONS {
        return Err(def_err(
            "invalid_options",
            id,
            format!("Question '{}' needs 1 to {MAX_OPTIONS} options.", q.id),
            format!("質問「{}」の選択肢は1〜{MAX_OPTIONS}個にしてください。", q.text.ja),
        ));
    }
    for (i, o) in options.iter().enumerate() {
        check_text(&o.label, MAX_LABEL_CHARS, "option label", "選択肢", id)?;
        if options[..i].iter().any(|p| p.id == o.id) {
            return Err(def_err(
                "duplicate_option",
                id,
                format!("Question '{}' lists option '{}' twice.", q.id, o.id),
                format!("質問「{}」に同じ選択肢ID「{}」が重複しています。", q.text.ja, o.id),
            ));
        }
    }
    Ok(())
}

impl NewSurvey {
    /// Checks what HQ sends; `now` is when it is created (closing in the past is a mistake).
    pub fn validate(&self, now: Timestamp) -> Result<(), DefinitionError> {
        check_text(&self.title, MAX_TITLE_CHARS, "title", "タイトル", None)?;
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return Err(def_err(
                "invalid_questions",
                None,
                format!("A survey has 1 to {MAX_QUESTIONS} questions."),
                format!("質問は1〜{MAX_QUESTIONS}個にしてください。"),
            ));
        }
        for (i, q) in self.questions.iter().enumerate() {
            let id = Some(&q.id);
            check_text(&q.text, MAX_QUESTION_CHARS, "question", "質問文", id)?;
            if self.questions[..i].iter().any(|p| p.id == q.id) {
                return Err(def_err(
                    "duplicate_question",
                    id,
                    format!("Question id '{}' is used twice.", q.id),
                    format!("質問ID「{}」が重複しています。", q.id),
                ));
            }
            match &q.kind {
                QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options, .. } => {
                    check_options(q, options)?
                }
                QuestionKind::Number { min, max, unit } => {
                    if min > max {
                        return Err(def_err(
                            "invalid_range",
                            id,
                            format!("Question '{}': the minimum {min} is above the maximum {max}.", q.id),
                            format!("質問「{}」の最小値が最大値より大きくなっています。", q.text.ja),
                        ));
                    }
                    if let Some(u) = unit {
                        check_text(u, MAX_LABEL_CHARS, "unit", "単位", id)?;
                    }
                }
                QuestionKind::FreeText => {}
            }
        }
        let scope_len = match &self.scope {
            SurveyScope::All | SurveyScope::Evacuees => None,
            SurveyScope::Areas { areas } => Some(areas.len()),
            SurveyScope::Shelters { shelters } => Some(shelters.len()),
        };
        if scope_len.is_some_and(|n| n == 0 || n > MAX_SCOPE_ENTRIES) {
            return Err(def_err(
                "invalid_scope",
                None,
                format!("List 1 to {MAX_SCOPE_ENTRIES} areas or shelters, or address the survey to everyone."),
                format!("対象の地区・避難所を1〜{MAX_SCOPE_ENTRIES}件指定するか、全員を対象にしてください。"),
            ));
        }
        let opens = self.opens_at.unwrap_or(now);
        if let Some(closes) = self.closes_at {
            if closes <= opens || closes <= now {
                return Err(def_err(
                    "invalid_close_time",
                    None,
                    "The closing time must be in the future and after the opening time.",
                    "締切日時は現在と開始日時より後にしてください。",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(id: &str, required: bool, kind: QuestionKind) -> Question {
        Question {
            id: QuestionId::parse(id).unwrap(),
            text: Localized::new(&format!("質問{id}"), &format!("Q {id}")),
            required,
            kind,
        }
    }
    fn opts(ids: &[&str]) -> Vec<ChoiceOption> {
        ids.iter().map(|i| ChoiceOption { id: OptionId::parse(i).unwrap(), label: Localized::new(i, i) }).collect()
    }
    fn questions() -> Vec<Question> {
        vec![
            q("feel", true, QuestionKind::SingleChoice { options: opts(&["good", "bad"]) }),
            q("needs", false, QuestionKind::MultipleChoice { options: opts(&["water", "food"]), allow_other: true }),
            q("strict", false, QuestionKind::MultipleChoice { options: opts(&["a"]), allow_other: false }),
            q("count", false, QuestionKind::Number { min: 0, max: 99, unit: None }),
            q("note", false, QuestionKind::FreeText),
        ]
    }
    fn answer(v: serde_json::Value) -> SurveyAnswer {
        serde_json::from_value(json!({ "answers": v })).unwrap()
    }
    fn check(v: serde_json::Value) -> Result<SurveyAnswer, AnswerError> {
        validate_answer(&questions(), &answer(v))
    }

    #[test]
    fn jst_dates_and_periods() {
        assert_eq!(JstDate::of(Timestamp(0)).to_string(), "1970-01-01");
        // 2026-11-22T14:59:59.999Z is 23:59:59 in Japan; one millisecond later it is the 23rd.
        assert_eq!(JstDate::of(Timestamp(1_795_359_599_999)).to_string(), "2026-11-22");
        assert_eq!(JstDate::of(Timestamp(1_795_359_600_000)).to_string(), "2026-11-23");
        assert_eq!(JstDate::of(Timestamp(951_750_000_000)).to_string(), "2000-02-29");
        assert_eq!(JstDate::of(Timestamp(-9 * 3_600_000 - 1)).to_string(), "1969-12-31");
        assert_eq!(Period::of(Recurrence::Daily, Timestamp(1_795_359_600_000)).to_string(), "2026-11-23");
        assert_eq!(Period::of(Recurrence::Once, Timestamp(1_795_359_600_000)), Period::Once);
        for ok in ["once", "2026-11-23", "2024-02-29"] {
            assert_eq!(Period::parse(ok).unwrap().to_string(), ok);
        }
        for bad in ["", "Once", "2026-13-01", "2026-02-30", "2023-02-29", "2026-1-01", "2026-11-2x", "+026-11-23"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert!(Period::Once.fits(Recurrence::Once) && !Period::Once.fits(Recurrence::Daily));
        assert_eq!(serde_json::to_value(Period::parse("2026-11-23").unwrap()).unwrap(), json!("2026-11-23"));
        // Every day of a few years round-trips through the string form.
        for d in 0..2000 {
            let date = JstDate::of(Timestamp(1_700_000_000_000 + d * MS_PER_DAY));
            assert_eq!(JstDate::parse(&date.to_string()), Some(date));
        }
    }

    #[test]
    fn ids_are_key_safe() {
        assert!(SurveyId::parse("needs-2026-11-23").is_ok());
        assert!(QuestionId::parse("diaper_size").is_ok());
        for bad in ["", "A", "a#b", "a b", "質問", &"x".repeat(65)] {
            assert!(SurveyId::parse(bad).is_err(), "{bad}");
        }
        assert!(QuestionId::parse("a-b").is_err() && QuestionId::parse(&"x".repeat(33)).is_err());
        let e = serde_json::from_value::<SurveyAnswer>(json!({"answers": {"BAD": {"type": "free_text", "text": "x"}}}))
            .unwrap_err();
        assert!(e.to_string().contains("question id"), "{e}");
    }

    #[test]
    fn valid_answers_are_normalised() {
        let got = check(json!({
            "feel": {"type": "single_choice", "option": "good"},
            // The question lists water, then food.
            "needs": {"type": "multiple_choice", "options": ["food", "water", "food"], "other": "  batteries "},
            "strict": {"type": "multiple_choice", "options": []},
            "count": {"type": "number", "value": 99},
            "note": {"type": "free_text", "text": "   "},
        }))
        .unwrap();
        assert_eq!(
            serde_json::to_value(&got).unwrap(),
            json!({"answers": {
                "count": {"type": "number", "value": 99},
                "feel": {"type": "single_choice", "option": "good"},
                "needs": {"type": "multiple_choice", "options": ["water", "food"], "other": "batteries"},
            }})
        );
        // Normalising twice changes nothing.
        assert_eq!(validate_answer(&questions(), &got).unwrap(), got);
        // "Other" alone is an answer.
        assert!(check(json!({"feel": {"type": "single_choice", "option": "bad"}, "needs": {"type": "multiple_choice", "other": "x"}})).is_ok());
    }

    #[test]
    fn bad_answers_name_the_problem() {
        let feel = json!({"type": "single_choice", "option": "good"});
        let cases = [
            (json!({}), "answer_required"),
            (json!({"feel": {"type": "single_choice", "option": "meh"}}), "unknown_option"),
            (json!({"feel": {"type": "number", "value": 1}}), "answer_wrong_type"),
            (json!({"feel": feel, "ghost": {"type": "free_text", "text": "x"}}), "unknown_question"),
            (
                json!({"feel": feel, "needs": {"type": "multiple_choice", "options": ["water", "gold"]}}),
                "unknown_option",
            ),
            (
                json!({"feel": feel, "strict": {"type": "multiple_choice", "options": ["a"], "other": "x"}}),
                "other_not_allowed",
            ),
            (json!({"feel": feel, "needs": {"type": "multiple_choice", "other": "x".repeat(201)}}), "other_too_long"),
            (json!({"feel": feel, "count": {"type": "number", "value": 100}}), "number_out_of_range"),
            (json!({"feel": feel, "count": {"type": "number", "value": -1}}), "number_out_of_range"),
            (json!({"feel": feel, "note": {"type": "free_text", "text": "あ".repeat(501)}}), "text_too_long"),
        ];
        for (v, code) in cases {
            let e = check(v.clone()).unwrap_err();
            assert_eq!(e.code(), code, "{v}");
            assert!(!e.message(true).is_empty() && !e.message(false).is_empty());
        }
        // Limits count characters, not bytes.
        assert!(check(json!({"feel": feel, "note": {"type": "free_text", "text": "あ".repeat(500)}})).is_ok());
        let e = check(json!({})).unwrap_err();
        assert_eq!(e.question().map(QuestionId::as_str), Some("feel"));
        assert_eq!(e.message(true), "必須の質問「質問feel」に回答してください。");
        assert_eq!(e.message(false), "Answer the required question \"Q feel\".");
        // Fields outside the schema (e.g. someone else's resident id) are refused when parsing.
        assert!(serde_json::from_value::<SurveyAnswer>(json!({"answers": {}, "resident": "r_x"})).is_err());
        assert!(serde_json::from_value::<SurveyAnswer>(
            json!({"answers": {"feel": {"type": "single_choice", "option": "good", "x": 1}}})
        )
        .is_err());
    }

    fn new_survey() -> NewSurvey {
        NewSurvey {
            id: SurveyId::parse("s-1").unwrap(),
            title: Localized::new("調査", "Survey"),
            questions: questions(),
            scope: SurveyScope::All,
            recurrence: Recurrence::Daily,
            opens_at: None,
            closes_at: None,
        }
    }

    #[test]
    fn definitions_are_checked() {
        let now = Timestamp(1_000_000);
        assert_eq!(new_survey().validate(now), Ok(()));
        let code = |f: &dyn Fn(&mut NewSurvey)| {
            let mut s = new_survey();
            f(&mut s);
            s.validate(now).err().map(|e| e.code)
        };
        assert_eq!(code(&|s| s.title.ja = " ".into()), Some("missing_text"));
        assert_eq!(code(&|s| s.title.en = "x".repeat(101)), Some("text_too_long"));
        // Every language a survey carries is held to the same limit.
        assert_eq!(code(&|s| s.title.vi = "x".repeat(100)), None);
        assert_eq!(code(&|s| s.title.ja_easy = "あ".repeat(101)), Some("text_too_long"));
        assert_eq!(code(&|s| s.title.en.clear()), None, "English may fall back to Japanese");
        assert_eq!(code(&|s| s.questions.clear()), Some("invalid_questions"));
        assert_eq!(
            code(&|s| s.questions = (0..41).map(|i| q(&format!("q{i}"), false, QuestionKind::FreeText)).collect()),
            Some("invalid_questions")
        );
        assert_eq!(code(&|s| s.questions.push(questions()[0].clone())), Some("duplicate_question"));
        assert_eq!(
            code(&|s| s.questions[0].kind = QuestionKind::SingleChoice { options: vec![] }),
            Some("invalid_options")
        );
        assert_eq!(
            code(&|s| s.questions[0].kind = QuestionKind::SingleChoice { options: opts(&["a", "a"]) }),
            Some("duplicate_option")
        );
        assert_eq!(
            code(&|s| s.questions[3].kind = QuestionKind::Number { min: 5, max: 4, unit: None }),
            Some("invalid_range")
        );
        assert_eq!(code(&|s| s.scope = SurveyScope::Areas { areas: vec![] }), Some("invalid_scope"));
        assert_eq!(code(&|s| s.closes_at = Some(Timestamp(999_999))), Some("invalid_close_time"));
        assert_eq!(
            code(&|s| {
                s.opens_at = Some(Timestamp(5_000_000));
                s.closes_at = Some(Timestamp(4_000_000))
            }),
            Some("invalid_close_time")
        );
        assert_eq!(code(&|s| s.closes_at = Some(Timestamp(2_000_000))), None);
        let e = {
            let mut s = new_survey();
            s.questions[0].kind = QuestionKind::SingleChoice { options: vec![] };
            s.validate(now).unwrap_err()
        };
        assert_eq!(e.question.as_ref().map(QuestionId::as_str), Some("feel"));
    }

    #[test]
    fn survey_states() {
        let mut s = Survey {
            id: SurveyId::parse("s").unwrap(),
            municipality: MunicipalityCode::parse("041009").unwrap(),
            title: Localized::new("t", ""),
            questions: questions(),
            scope: SurveyScope::All,
            recurrence: Recurrence::Once,
            opens_at: Timestamp(100),
            closes_at: Some(Timestamp(200)),
            closed_at: None,
            created_at: Timestamp(50),
            incident: None,
            drill: None,
        };
        assert_eq!(s.state(Timestamp(99)), SurveyState::Scheduled);
        assert_eq!(s.state(Timestamp(100)), SurveyState::Open);
        assert_eq!(s.state(Timestamp(200)), SurveyState::Closed);
        assert_eq!(s.accepts_answers(Timestamp(99)), Err(AnswerError::NotOpenYet));
        assert_eq!(s.accepts_answers(Timestamp(250)).unwrap_err().code(), "survey_closed");
        s.closed_at = Some(Timestamp(150));
        assert_eq!(s.state(Timestamp(150)), SurveyState::Closed);
        assert_eq!(s.title.get("en"), "t", "empty English falls back");
    }

    #[test]
    fn wire_format() {
        let kinds = json!([
            {"type": "single_choice", "options": [{"id": "a", "label": {"ja": "あ", "en": "A"}}]},
            {"type": "multiple_choice", "options": [{"id": "a", "label": {"ja": "あ"}}], "allow_other": true},
            {"type": "number", "min": 0, "max": 99, "unit": {"ja": "枚", "en": "pcs"}},
            {"type": "free_text"},
        ]);
        let parsed: Vec<QuestionKind> = serde_json::from_value(kinds).unwrap();
        assert_eq!(parsed[3], QuestionKind::FreeText);
        let scope: SurveyScope = serde_json::from_value(json!({"type": "shelters", "shelters": ["aoba-01"]})).unwrap();
        assert!(matches!(scope, SurveyScope::Shelters { ref shelters } if shelters.len() == 1));
        assert!(serde_json::from_value::<SurveyScope>(json!({"type": "shelters", "shelters": ["Bad Id"]})).is_err());
    }
}
