//! What staff see after a scan, before confirming: the names and ages of the people
//! the QR code names and where each is checked in now. Personal data: every
//! preview is audited like a roster view.

use crate::auth::AuthSettings;
use crate::domain::{location, roster};
use crate::ApiError;
use bosai_store::{ItemExt, Store};
use bosai_types::checkin::{verify_credential, CredentialError};
use bosai_types::household::MemberId;
use bosai_types::roster::RosterFilter;
use bosai_types::scan_preview::{PreviewPerson, ScanPreview};
use bosai_types::{MunicipalityCode, ShelterId, Timestamp};

fn refused(e: &CredentialError) -> ApiError {
    let (code, ja) = match e {
        CredentialError::Time(_) => {
            ("credential_expired", "QRコードの有効期限が切れています。本人にQRコードを更新してもらってください。")
        }
        CredentialError::OtherMunicipality => ("credential_other_municipality", "他の自治体のQRコードです。"),
        CredentialError::NoMembers | CredentialError::Signature(_) => {
            ("credential_invalid", "正しい受付用QRコードではありません。")
        }
    };
    ApiError::invalid(code, ja)
}

pub async fn preview(
    store: &dyn Store,
    settings: &AuthSettings,
    municipality: &MunicipalityCode,
    shelter: &ShelterId,
    staff: &str,
    credential: &str,
    now: Timestamp,
) -> Result<ScanPreview, ApiError> {
    let claims =
        verify_credential(settings.tokens.own_keys(), credential.trim(), now.seconds()).map_err(|e| refused(&e))?;
    if !crate::domain::home::received(store, municipality, &claims.mu).await? {
        return Err(refused(&CredentialError::OtherMunicipality));
    }
    let wanted: Vec<MemberId> = claims.m.iter().filter_map(|m| MemberId::parse(m).ok()).collect();
    let people = crate::domain::scans::people_named(store, &claims, &wanted).await?.map_err(|r| {
        ApiError::invalid(r.code, "このQRコードは使えません。本人にQRコードを更新してもらってください。")
    })?;
    let this_year: u16 = now.jst_date()[..4].parse().unwrap_or(2026);
    let mut out = Vec::with_capacity(people.len());
    for p in &people {
        let birth_year = p.roster.i64("birth_year").and_then(|y| u16::try_from(y).ok());
        let here = location::current_anywhere(store, &p.key, &p.member_id).await?;
        out.push(PreviewPerson {
            member_id: p.member_id.clone(),
            name: p.roster.str("name").unwrap_or_default().to_owned(),
            age: birth_year.map(|y| this_year.saturating_sub(y)),
            name_unconfirmed: p.roster.bool("name_unconfirmed").unwrap_or(false),
            checked_in: here.shelter_id.is_some().then_some(here),
        });
    }
    // The card holder first, then the family in the code's order.
    out.sort_by_key(|p| !p.member_id.is_self());
    let access = roster::RosterAccess {
        action: "scan_preview",
        actor: staff,
        shelter,
        filter: &RosterFilter::default(),
        rows: out.len(),
    };
    // In the log of the shelter's municipality, whose HQ reads it.
    let shelter_municipality = crate::domain::shelters::get(store, shelter).await?.municipality;
    roster::audit(store, &shelter_municipality, access, now).await?;
    Ok(ScanPreview { people: out })
}
