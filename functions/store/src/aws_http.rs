//! The HTTPS client every AWS SDK client here uses (DynamoDB, KMS, Secrets Manager).
//!
//! It trusts only Amazon Trust Services' roots (`certs/amazon-trust-services.pem`), which sign
//! every AWS service endpoint, instead of the platform's store. That is a narrower trust for the
//! connections that carry personal data, and a faster cold start: the SDK's default client reads
//! and parses every certificate under /etc/ssl/certs during init (4 of the API function's ~8 ms
//! here, issue 18). `BOSAI_AWS_TRUST=platform` restores the platform's store, should AWS ever
//! serve an endpoint from another CA.

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Amazon Root CA 1–4 and Starfield Services Root CA G2, as Mozilla's store has them.
pub const AMAZON_TRUST_SERVICES_PEM: &str = include_str!("../certs/amazon-trust-services.pem");

/// Which roots the SDK's client trusts (`BOSAI_AWS_TRUST`: `amazon`, the default, or `platform`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsTrust {
    Amazon,
    Platform,
}

impl AwsTrust {
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value {
            None | Some("") | Some("amazon") => Ok(Self::Amazon),
            Some("platform") => Ok(Self::Platform),
            Some(other) => Err(format!("'{other}' (use amazon or platform)")),
        }
    }

    pub fn from_env() -> Result<Self, String> {
        Self::parse(std::env::var("BOSAI_AWS_TRUST").ok().as_deref())
    }
}

/// A client for one SDK configuration, trusting what `BOSAI_AWS_TRUST` says (the functions'
/// configuration refuses a bad value at startup, before this is reached). One per configuration,
/// not one per process: a client's connection pool belongs to the runtime that first used it.
pub fn from_env() -> SharedHttpClient {
    client(AwsTrust::from_env().unwrap_or(AwsTrust::Amazon))
}

/// A client trusting `trust`'s roots.
pub fn client(trust: AwsTrust) -> SharedHttpClient {
    let store = match trust {
        AwsTrust::Amazon => TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES_PEM.as_bytes()),
        AwsTrust::Platform => TrustStore::default(),
    };
    let context = TlsContext::builder().with_trust_store(store).build().expect("a trust store always builds");
    Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc)).tls_context(context).build_https()
}

#[cfg(test)]
mod tests {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;

    /// The embedded roots are exactly Mozilla's certificates of those names, as Debian ships
    /// them (checked where that store is installed, as on the CI machines).
    #[test]
    fn embedded_roots_are_mozillas_amazon_roots() {
        let ours: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(super::AMAZON_TRUST_SERVICES_PEM.as_bytes())
            .map(|c| c.expect("valid PEM").to_vec())
            .collect();
        assert_eq!(ours.len(), 5);
        let dir = std::path::Path::new("/usr/share/ca-certificates/mozilla");
        if !dir.is_dir() {
            eprintln!("skipped the comparison: no {} here", dir.display());
            return;
        }
        let names = ["Amazon_Root_CA_1", "Amazon_Root_CA_2", "Amazon_Root_CA_3", "Amazon_Root_CA_4"];
        let mozilla: Vec<Vec<u8>> = names
            .iter()
            .map(|n| format!("{n}.crt"))
            .chain(["Starfield_Services_Root_Certificate_Authority_-_G2.crt".to_owned()])
            .map(|f| CertificateDer::from_pem_file(dir.join(f)).expect("Mozilla's root").to_vec())
            .collect();
        assert_eq!(ours, mozilla);
    }

    #[test]
    fn trust_setting() {
        use super::AwsTrust;
        assert_eq!(AwsTrust::parse(None), Ok(AwsTrust::Amazon));
        assert_eq!(AwsTrust::parse(Some("amazon")), Ok(AwsTrust::Amazon));
        assert_eq!(AwsTrust::parse(Some("platform")), Ok(AwsTrust::Platform));
        assert!(AwsTrust::parse(Some("system")).unwrap_err().contains("amazon or platform"));
    }
}
