//! Starts the release `bosai-local` on a free 127.0.0.1 port for a measurement.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Stack {
    pub url: String,
    child: Child,
}

impl Stack {
    pub fn start(bin: &Path, data: &Path, dist: &Path, env: &[(&str, &str)]) -> Stack {
        let mut child = Command::new(bin)
            .envs(env.iter().copied())
            .env("BOSAI_PORT", "0")
            .env("BOSAI_DATA_DIR", data)
            .env("BOSAI_DIST", dist)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let out = child.stdout.take().expect("piped stdout");
        let url = BufReader::new(out)
            .lines()
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("BOSAI_READY ").map(str::to_owned))
            .expect("bosai-local printed BOSAI_READY");
        Stack { url, child }
    }

    /// The server's process id (to read its memory from /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The power cord: no graceful shutdown, whatever is in flight is cut.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The started stack's own signing key (its dev identity) and a shelter-staff token for
/// `shelter` signed with it: the bench signs credentials the way the server does.
pub fn dev_signer_and_staff_token(data: &Path, shelter: &str, now: i64) -> (bosai_types::jws::Signer, String) {
    use bosai_types::auth::{Claims, Role};
    let key = std::fs::read_to_string(data.join("identity/keys/token-1.pem")).expect("dev token key");
    let signer = bosai_types::jws::Signer::from_pkcs8_pem(&key).expect("key");
    let staff = signer.sign(
        "at+jwt",
        &Claims {
            iss: "bosai-local".into(),
            aud: "bosai-api".into(),
            sub: "staff:load".into(),
            iat: now,
            nbf: now,
            exp: now + 3600,
            role: Role::ShelterStaff,
            shelters: vec![shelter.into()],
            municipality: None,
        },
    );
    (signer, staff)
}

/// An HQ token for the demo municipality, signed with the started stack's own key.
pub fn hq_token(data: &Path, now: i64) -> String {
    use bosai_types::auth::{Claims, Role};
    let key = std::fs::read_to_string(data.join("identity/keys/token-1.pem")).expect("dev token key");
    let signer = bosai_types::jws::Signer::from_pkcs8_pem(&key).expect("key");
    signer.sign(
        "at+jwt",
        &Claims {
            iss: "bosai-local".into(),
            aud: "bosai-api".into(),
            sub: "hq:bench".into(),
            iat: now,
            nbf: now,
            exp: now + 3600,
            role: Role::Hq,
            shelters: vec![],
            municipality: Some("041009".into()),
        },
    )
}
