//! `companion`: the native companion app's stand-in for development and tests.

use bosai_companion::{client, Card, CardHolder, TestCa};
use bosai_types::auth::{Claims, Role};
use bosai_types::jws::Signer;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "companion", about = "Simulated My Number Card companion app (test CA, test cards, sign-in)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Test certificate authority (stands in for J-LIS).
    Ca {
        #[command(subcommand)]
        cmd: CaCmd,
    },
    /// Test cards.
    Card {
        #[command(subcommand)]
        cmd: CardCmd,
    },
    /// Sign in with a card and print the access token.
    Login {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        server: String,
        #[arg(long)]
        card: PathBuf,
        /// Also present the signing certificate (name, address, birth date, sex).
        #[arg(long)]
        share_basic_four: bool,
    },
    /// Print a staff or HQ token signed with the local dev key.
    StaffToken {
        #[arg(long, value_parser = ["shelter_staff", "hq", "admin"])]
        role: String,
        /// Shelter id(s) for shelter_staff.
        #[arg(long)]
        shelter: Vec<String>,
        /// Municipality code for hq and admin (an admin administers this municipality); the
        /// prefecture's code (040002) for prefecture_hq.
        #[arg(long, default_value = "041009")]
        municipality: String,
        #[arg(long, default_value = "staff-demo")]
        id: String,
        #[arg(long, default_value = ".bosai/data/keys/token-1.pem")]
        key: PathBuf,
        #[arg(long, default_value = "bosai-local")]
        issuer: String,
        #[arg(long, default_value_t = 8 * 3600)]
        ttl: i64,
    },
}

#[derive(Subcommand)]
enum CaCmd {
    /// Create a test CA and an empty CRL in DIR (kept if they exist).
    Init {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Add a card to its CAs' CRLs (DIR/auth-crl.der, DIR/sign-crl.der).
    Revoke {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        card: PathBuf,
    },
}

#[derive(Subcommand)]
enum CardCmd {
    New {
        #[arg(long)]
        ca: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        address: String,
        /// YYYY-MM-DD
        #[arg(long)]
        dob: String,
        /// 1 male, 2 female, 3 unknown (不明)
        #[arg(long, value_parser = ["1", "2", "3"])]
        sex: String,
        #[arg(long)]
        out: PathBuf,
    },
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.cmd {
        Cmd::Ca { cmd: CaCmd::Init { dir } } => {
            bosai_companion::pki::ensure_ca(&dir)?;
            println!("{}", dir.join("auth-ca.pem").display());
            println!("{}", dir.join("sign-ca.pem").display());
        }
        Cmd::Ca { cmd: CaCmd::Revoke { dir, card } } => {
            let card = Card::load(&card)?;
            bosai_companion::pki::revoke(&dir, &TestCa::load(&dir)?, &card)?;
            println!("revoked; CRLs written to {}", dir.display());
        }
        Cmd::Card { cmd: CardCmd::New { ca, name, address, dob, sex, out } } => {
            let ca = TestCa::load(&ca)?;
            ca.issue_card(&CardHolder { name, address, date_of_birth: dob, sex, ..CardHolder::default() })?
                .save(&out)?;
            println!("{}", out.display());
        }
        Cmd::Login { server, card, share_basic_four } => {
            let tokens = client::login(&server, &Card::load(&card)?, share_basic_four).await?;
            println!("{}", tokens.access_token);
        }
        Cmd::StaffToken { role, shelter, municipality, id, key, issuer, ttl } => {
            let signer = Signer::from_pkcs8_pem(&std::fs::read_to_string(&key)?)?;
            let role: Role = serde_json::from_value(serde_json::Value::String(role))?;
            let now = now();
            let claims = Claims {
                iss: issuer,
                aud: "bosai-api".into(),
                sub: format!("staff:{id}"),
                iat: now,
                nbf: now,
                exp: now + ttl,
                role,
                shelters: if role == Role::ShelterStaff { shelter } else { vec![] },
                municipality: matches!(role, Role::Hq | Role::Admin | Role::PrefectureHq).then_some(municipality),
            };
            println!("{}", signer.sign("at+jwt", &claims));
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("companion: {e}");
            ExitCode::FAILURE
        }
    }
}
