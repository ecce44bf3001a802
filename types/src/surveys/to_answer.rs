//! What a resident is sent of a survey (`GET /api/surveys`): what it asks and when it takes answers,
//! not whom HQ addressed it to. The server decides who sees a survey; the scope, the municipality and
//! the incident stay with HQ (and their decoders out of the resident's download).

use super::{AnswerError, Question, Recurrence, Survey, SurveyId, SurveyState};
use crate::localized::Localized;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A survey as a resident answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyToAnswer {
    pub id: SurveyId,
    pub title: Localized,
    pub questions: Vec<Question>,
    pub recurrence: Recurrence,
    pub opens_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<Timestamp>,
    /// Set when HQ closed the survey early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// Asked during a drill (訓練): the drill's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<String>,
}

impl From<Survey> for SurveyToAnswer {
    fn from(s: Survey) -> Self {
        let Survey { id, title, questions, recurrence, opens_at, closes_at, closed_at, drill, .. } = s;
        SurveyToAnswer { id, title, questions, recurrence, opens_at, closes_at, closed_at, drill }
    }
}

impl SurveyToAnswer {
    pub fn schedule(&self) -> Schedule {
        Schedule {
            recurrence: self.recurrence,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            closed_at: self.closed_at,
        }
    }
}

/// When a survey takes answers, and for which period: the same rules for HQ's survey and the
/// resident's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub recurrence: Recurrence,
    pub opens_at: Timestamp,
    pub closes_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

impl Schedule {
    pub fn state(self, now: Timestamp) -> SurveyState {
        let closed_by_time = self.closes_at.is_some_and(|c| now >= c);
        let closed_by_hq = self.closed_at.is_some_and(|c| now >= c);
        if closed_by_time || closed_by_hq {
            SurveyState::Closed
        } else if now < self.opens_at {
            SurveyState::Scheduled
        } else {
            SurveyState::Open
        }
    }

    /// The period an answer sent at `now` belongs to.
    pub fn period(self, now: Timestamp) -> super::Period {
        super::Period::of(self.recurrence, now)
    }

    /// Whether an answer may be sent or amended at `now` (scope is checked by the server).
    pub fn accepts_answers(self, now: Timestamp) -> Result<(), AnswerError> {
        match self.state(now) {
            SurveyState::Open => Ok(()),
            SurveyState::Scheduled => Err(AnswerError::NotOpenYet),
            SurveyState::Closed => Err(AnswerError::Closed),
        }
    }
}
