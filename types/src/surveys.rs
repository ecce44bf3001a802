//! Needs surveys (ニーズ調査): definitions, questions, answers, validation shared with the PWA.
