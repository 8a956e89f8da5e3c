//! HTTPS: the certificate the emulator serves and the rustls configuration around it.
//!
//! [`TlsCertificate::generate`] makes a development certificate authority and a server
//! certificate it signs for `127.0.0.1`, `localhost` and `::1`, fresh at every start, as
//! Azurite and mkcert do; a client trusts the emulator by trusting the authority's
//! certificate ([`TlsCertificate::ca_certificate_pem`]). [`TlsCertificate::from_pem`] serves a
//! certificate chain and key the user brings instead. Only HTTP/1.1 is offered (ALPN).

use std::fmt;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A certificate that cannot be made or used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TLS certificate: {}", self.0)
    }
}

impl std::error::Error for TlsError {}

/// The certificate (chain) and key the emulator serves HTTPS with.
#[derive(Clone)]
pub struct TlsCertificate {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
    /// The PEM of the development authority that signed `chain`, when generated.
    ca_pem: Option<String>,
}

impl fmt::Debug for TlsCertificate {
    /// Never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsCertificate")
            .field("chain", &self.chain.len())
            .field("generated", &self.ca_pem.is_some())
            .finish_non_exhaustive()
    }
}

/// The names the generated server certificate is valid for.
const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "localhost", "::1"];

impl TlsCertificate {
    /// A fresh development authority ("graph-sync emulator development CA") and a server
    /// certificate it signs for `127.0.0.1`, `localhost` and `::1`, valid from a day ago for a
    /// year. Keys are ECDSA P-256.
    ///
    /// # Errors
    ///
    /// [`TlsError`] when key generation or signing fails (it does not in practice).
    pub fn generate() -> Result<Self, TlsError> {
        use rcgen::{
            BasicConstraints, CertificateParams, DistinguishedName, DnType,
            ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        };
        let failed = |what: &str| {
            let what = what.to_owned();
            move |e: rcgen::Error| TlsError(format!("{what} failed ({e})"))
        };
        let now = time::OffsetDateTime::now_utc();
        let (not_before, not_after) = (
            now - time::Duration::days(1),
            now + time::Duration::days(365),
        );

        let ca_key = KeyPair::generate().map_err(failed("generating the CA key"))?;
        let mut ca = CertificateParams::default();
        let mut ca_name = DistinguishedName::new();
        ca_name.push(DnType::CommonName, "graph-sync emulator development CA");
        ca_name.push(DnType::OrganizationName, "graph-sync emulator");
        ca.distinguished_name = ca_name;
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca.not_before = not_before;
        ca.not_after = not_after;
        let ca_cert = ca.self_signed(&ca_key).map_err(failed("signing the CA"))?;
        let issuer = Issuer::new(ca, ca_key);

        let names: Vec<String> = LOOPBACK_NAMES.iter().map(|n| (*n).to_owned()).collect();
        let mut server = CertificateParams::new(names).map_err(failed("naming the server"))?;
        let mut server_name = DistinguishedName::new();
        server_name.push(DnType::CommonName, "localhost");
        server.distinguished_name = server_name;
        server.is_ca = IsCa::ExplicitNoCa;
        server.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server.use_authority_key_identifier_extension = true;
        server.not_before = not_before;
        server.not_after = not_after;
        let server_key = KeyPair::generate().map_err(failed("generating the server key"))?;
        let server_cert = server
            .signed_by(&server_key, &issuer)
            .map_err(failed("signing the server certificate"))?;

        let key = PrivateKeyDer::try_from(server_key.serialize_der())
            .map_err(|e| TlsError(format!("the generated key is unusable ({e})")))?;
        Ok(Self {
            chain: vec![server_cert.der().clone(), ca_cert.der().clone()],
            key: Arc::new(key),
            ca_pem: Some(ca_cert.pem()),
        })
    }

    /// A certificate chain (PEM, server certificate first) and its private key (PEM: PKCS#8,
    /// PKCS#1 or SEC1), as `--cert` and `--key` give them.
    ///
    /// # Errors
    ///
    /// [`TlsError`] when the chain holds no certificate or the key cannot be read. The error
    /// never quotes the key.
    pub fn from_pem(chain: &[u8], key: &[u8]) -> Result<Self, TlsError> {
        let chain = CertificateDer::pem_slice_iter(chain)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| TlsError("the certificate file is not PEM".to_owned()))?;
        if chain.is_empty() {
            return Err(TlsError(
                "the certificate file holds no CERTIFICATE block".to_owned(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(key).map_err(|_| {
            TlsError("the key file holds no PEM private key (PKCS#8, PKCS#1 or SEC1)".to_owned())
        })?;
        let certificate = Self {
            chain,
            key: Arc::new(key),
            ca_pem: None,
        };
        certificate.server_config()?;
        Ok(certificate)
    }

    /// The PEM of the development authority to trust, for a generated certificate.
    #[must_use]
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The rustls configuration serving this certificate over HTTP/1.1.
    pub(crate) fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(format!("no usable TLS version ({e})")))?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| TlsError(format!("the key does not fit the certificate ({e})")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_certificate_serves_and_names_its_authority() {
        let certificate = TlsCertificate::generate().unwrap();
        assert!(certificate.server_config().is_ok());
        let ca = certificate.ca_certificate_pem().unwrap();
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(certificate.chain.len(), 2);
        assert!(!format!("{certificate:?}").contains("PRIVATE"));
    }

    #[test]
    fn given_pem_is_checked() {
        assert!(TlsCertificate::from_pem(b"", b"").is_err());
        let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let chain = generated.cert.pem();
        let key = generated.signing_key.serialize_pem();
        assert!(TlsCertificate::from_pem(chain.as_bytes(), key.as_bytes()).is_ok());
        let error = TlsCertificate::from_pem(chain.as_bytes(), b"not a key").unwrap_err();
        assert!(error.to_string().contains("no PEM private key"));
        let other = rcgen::KeyPair::generate().unwrap().serialize_pem();
        assert!(TlsCertificate::from_pem(chain.as_bytes(), other.as_bytes()).is_err());
    }
}
