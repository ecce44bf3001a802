//! A DynamoDB Local of the test's own (not the shared one of `with-dynamodb-local.sh`), on
//! its own port and files, so a fault test can stop, kill, freeze and restart it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct OwnDynamoDbLocal {
    jar_dir: String,
    db: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl OwnDynamoDbLocal {
    /// None (skip) unless run under `scripts/with-dynamodb-local.sh`, which names the jar.
    pub fn start() -> Option<Self> {
        let Ok(jar_dir) = std::env::var("BOSAI_DYNAMODB_LOCAL_DIR") else {
            assert!(std::env::var("BOSAI_REQUIRE_DYNAMODB").is_err(), "run under scripts/with-dynamodb-local.sh");
            eprintln!("skipping: BOSAI_DYNAMODB_LOCAL_DIR not set");
            return None;
        };
        let mut me = Self { jar_dir, db: tempfile::tempdir().unwrap(), port: free_port(), child: None };
        me.restart();
        Some(me)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn db_path(&self) -> PathBuf {
        self.db.path().to_owned()
    }

    /// Starts it again on the same port and files (after `stop`).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "still running");
        let child = Command::new("java")
            .arg(format!("-Djava.library.path={}/DynamoDBLocal_lib", self.jar_dir))
            .args(["-jar", &format!("{}/DynamoDBLocal.jar", self.jar_dir), "-sharedDb", "-dbPath"])
            .arg(self.db.path())
            .args(["-port", &self.port.to_string(), "-disableTelemetry"])
            .current_dir(self.db.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("java");
        self.child = Some(child);
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("DynamoDB Local did not start");
    }

    /// Stops it with `signal` ("TERM": a clean stop, "KILL": a crash) and waits until it is gone.
    pub fn stop(&mut self, signal: &str) {
        let mut child = self.child.take().expect("running");
        self.signal(&child, signal);
        child.wait().unwrap();
    }

    /// SIGSTOP: the port still accepts connections but nothing answers (a hung store).
    pub fn freeze(&self) {
        self.signal(self.child.as_ref().expect("running"), "STOP");
    }

    pub fn thaw(&self) {
        self.signal(self.child.as_ref().expect("running"), "CONT");
    }

    fn signal(&self, child: &Child, signal: &str) {
        let ok =
            Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap().success();
        assert!(ok, "kill -{signal}");
    }
}

impl Drop for OwnDynamoDbLocal {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").args(["-CONT", &c.id().to_string()]).status();
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
