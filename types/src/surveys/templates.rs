//! Surveys HQ starts from a template (ready-made questions in Japanese and English): the needs
//! survey (必要な物資の調査) and the daily health check (毎日の健康チェック). HQ picks one and who is
//! asked; the demo's seed starts both for everyone.

use super::{
    ChoiceOption, Localized, NewSurvey, OptionId, Question, QuestionId, QuestionKind, Recurrence, SurveyId, SurveyScope,
};
use crate::supplies::DiaperSize;
use crate::Timestamp;

/// A ready-made survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyTemplate {
    /// What residents need now (once): supplies, diaper sizes and counts, medicine.
    Needs,
    /// How each resident is today (every day): condition, symptoms, a note to staff.
    HealthCheck,
}

impl SurveyTemplate {
    pub const ALL: [SurveyTemplate; 2] = [SurveyTemplate::Needs, SurveyTemplate::HealthCheck];

    /// The template's name in survey ids and forms.
    pub fn key(self) -> &'static str {
        match self {
            SurveyTemplate::Needs => "needs",
            SurveyTemplate::HealthCheck => "health",
        }
    }

    pub fn recurrence(self) -> Recurrence {
        match self {
            SurveyTemplate::Needs => Recurrence::Once,
            SurveyTemplate::HealthCheck => Recurrence::Daily,
        }
    }

    /// The survey, as HQ creates it (`opens_at` None: now).
    pub fn survey(self, id: SurveyId, scope: SurveyScope, opens_at: Option<Timestamp>) -> NewSurvey {
        let l = Localized::new;
        let choice = |id: &str, ja: &str, en: &str| ChoiceOption {
            id: OptionId::parse(id).expect("a valid option id"),
            label: l(ja, en),
        };
        let q = |id: &str, ja: &str, en: &str, required: bool, kind: QuestionKind| Question {
            id: QuestionId::parse(id).expect("a valid question id"),
            text: l(ja, en),
            required,
            kind,
        };
        let (title, questions) = match self {
            SurveyTemplate::Needs => (
                l("必要な物資の調査", "What do you need?"),
                vec![
                    q(
                        "needs",
                        "今、必要なものを選んでください（複数可）",
                        "What do you need now? (choose all that apply)",
                        true,
                        QuestionKind::MultipleChoice {
                            options: vec![
                                choice("water", "飲料水", "Drinking water"),
                                choice("food", "食料", "Food"),
                                choice("blankets", "毛布", "Blankets"),
                                choice("toilet_paper", "トイレットペーパー", "Toilet paper"),
                                choice("diapers_infant", "おむつ（乳児用）", "Diapers (infant)"),
                                choice("diapers_adult", "おむつ（大人用）", "Diapers (adult)"),
                                choice("infant_formula", "粉ミルク・液体ミルク", "Infant formula"),
                                choice("medicine", "医薬品", "Medicine"),
                                choice("phone_charging", "携帯電話の充電", "Phone charging"),
                            ],
                            allow_other: true,
                        },
                    ),
                    q(
                        "diaper_size",
                        "おむつが必要な場合、サイズを選んでください",
                        "If you need diapers, which size?",
                        false,
                        QuestionKind::SingleChoice {
                            // The sizes and their names of the supplies catalog, so answers map to stock.
                            options: [false, true]
                                .into_iter()
                                .flat_map(|adult| DiaperSize::sizes(adult).iter().map(move |s| (adult, *s)))
                                .map(|(adult, s)| {
                                    let (kind_ja, kind_en) =
                                        if adult { ("大人用", "Adult") } else { ("乳児用", "Infant") };
                                    let id = format!("{}_{}", if adult { "adult" } else { "infant" }, s.code());
                                    choice(
                                        &id,
                                        &format!("{kind_ja} {}", s.label(adult, true)),
                                        &format!("{kind_en}, {}", s.label(adult, false)),
                                    )
                                })
                                .collect(),
                        },
                    ),
                    q(
                        "diaper_count",
                        "1日に必要なおむつの枚数",
                        "Diapers needed per day",
                        false,
                        QuestionKind::Number { min: 0, max: 99, unit: Some(Box::new(l("枚", "pcs"))) },
                    ),
                    q(
                        "medicine_detail",
                        "必要な医薬品（薬の名前など）",
                        "Which medicine do you need? (name, dose)",
                        false,
                        QuestionKind::FreeText,
                    ),
                    q(
                        "people",
                        "この回答で必要としている人数",
                        "How many people is this for?",
                        false,
                        QuestionKind::Number { min: 1, max: 30, unit: Some(Box::new(l("人", "people"))) },
                    ),
                ],
            ),
            SurveyTemplate::HealthCheck => (
                l("毎日の健康チェック", "Daily health check"),
                vec![
                    q(
                        "condition",
                        "今日の体調はいかがですか",
                        "How are you feeling today?",
                        true,
                        QuestionKind::SingleChoice {
                            options: vec![
                                choice("good", "元気です", "Well"),
                                choice("unwell", "体調がすぐれない", "Not well"),
                                choice("need_help", "すぐに助けが必要", "I need help now"),
                            ],
                        },
                    ),
                    q(
                        "symptoms",
                        "当てはまる症状（複数可）",
                        "Symptoms (choose all that apply)",
                        false,
                        QuestionKind::MultipleChoice {
                            options: vec![
                                choice("fever", "発熱", "Fever"),
                                choice("cough", "せき", "Cough"),
                                choice("sore_throat", "のどの痛み", "Sore throat"),
                                choice("diarrhea", "下痢", "Diarrhoea"),
                                choice("vomiting", "吐き気・おう吐", "Nausea or vomiting"),
                                choice("headache", "頭痛", "Headache"),
                                choice("sleepless", "眠れない", "Cannot sleep"),
                            ],
                            allow_other: true,
                        },
                    ),
                    q("notes", "職員に伝えたいこと", "Anything staff should know?", false, QuestionKind::FreeText),
                ],
            ),
        };
        NewSurvey { id, title, questions, scope, recurrence: self.recurrence(), opens_at, closes_at: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surveys::AreaCode;

    #[test]
    fn every_template_is_a_valid_survey_for_every_kind_of_scope() {
        let scopes = [
            SurveyScope::All,
            SurveyScope::Evacuees,
            SurveyScope::Areas { areas: vec![AreaCode::parse("aoba-1").unwrap()] },
        ];
        for t in SurveyTemplate::ALL {
            for scope in scopes.clone() {
                let id = SurveyId::parse(&format!("{}-20261207-1530", t.key())).unwrap();
                let s = t.survey(id.clone(), scope.clone(), None);
                assert_eq!(s.validate(Timestamp(1_796_000_000_000)), Ok(()), "{t:?} {scope:?}");
                assert_eq!((s.id, s.scope, s.recurrence), (id, scope, t.recurrence()));
                assert!(!s.title.ja.is_empty() && !s.title.en.is_empty());
            }
        }
    }
}
