//! A person as check-in records them: whose partition, which member, and the roster's copy of
//! what staff need to see. Made from a card holder's household (`checkin`) or a desk
//! registration (`desk`); read by the roster, stays and the HQ counts.

use bosai_store::Item;
use bosai_types::household::MemberId;

/// Who is being checked in, with what the roster shows about them.
#[derive(Debug, Clone)]
pub struct Person {
    pub key: String,
    pub member_id: MemberId,
    /// Roster attributes copied onto the location while present (removed at check-out).
    pub roster: Item,
}

/// The person's home municipality (住所地) on the roster: the host shelter counts its evacuees by
/// it, and the home municipality's HQ sees where its residents are (広域避難).
pub const HOME: &str = "home";
