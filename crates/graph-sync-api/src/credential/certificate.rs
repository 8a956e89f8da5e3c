//! [`ClientCertificateCredential`]: the client-credentials grant with a JWT client assertion
//! signed by the app's certificate key, and [`ClientCertificate`], that key with its
//! certificate read from PEM or PKCS#12.
//!
//! Signing is RS256 (RSASSA-PKCS1-v1_5 with SHA-256) by the RustCrypto `rsa` crate; PEM and
//! X.509 are read by `x509-cert` (with `der` and `pem-rfc7468`), PKCS#12 on the same stack by
//! `pfx.rs` (RustCrypto `pkcs12`, `cms`, `pkcs5`). All are pure Rust: no OpenSSL. See
//! `docs/authentication.md` for why. Needs the `certificate` feature (PEM) and the `pkcs12`
//! feature (PFX archives).

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64ct::{Base64UrlUnpadded, Encoding};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Encode};
use zeroize::Zeroizing;

use super::http::{ConfidentialClient, confidential_builders};
use super::{AccessToken, AuthError, TokenCredential, TokenRequest};

const NAME: &str = "ClientCertificateCredential";

/// How long a client assertion is valid. Entra accepts up to ten minutes of skew; the
/// assertion is used at once and never reused.
const ASSERTION_LIFETIME_SECONDS: u64 = 300;

/// An app's certificate and its RSA private key, ready to sign client assertions.
///
/// `Debug` shows only the certificate's SHA-256 thumbprint; the key never leaves this value
/// except as signatures.
#[derive(Clone)]
pub struct ClientCertificate {
    key: Arc<SigningKey<Sha256>>,
    certificate_der: Arc<[u8]>,
    thumbprint: String,
}

impl ClientCertificate {
    /// Reads a PEM document holding the certificate and its private key (unencrypted
    /// `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1)), in either order, as written by
    /// `openssl req -x509 -nodes` or exported for `AZURE_CLIENT_CERTIFICATE_PATH`. The first
    /// certificate whose public key matches the key is used; other certificates (the chain)
    /// are ignored.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when there is no certificate, no key, an encrypted key, a key that is
    /// not RSA, or a key that does not belong to the certificate.
    pub fn from_pem(pem: &[u8]) -> Result<Self, AuthError> {
        let text = std::str::from_utf8(pem)
            .map_err(|_| AuthError::configuration(format!("{NAME}: the PEM is not text")))?;
        let mut certificates = Vec::new();
        let mut key = None;
        for block in pem_blocks(text) {
            let (label, der) = x509_cert::der::pem::decode_vec(block.as_bytes())
                .map_err(|e| bad_pem(&format!("a PEM block cannot be decoded ({e})")))?;
            let der = Zeroizing::new(der);
            match label {
                "CERTIFICATE" => certificates.push(der.to_vec()),
                "PRIVATE KEY" => {
                    key = Some(RsaPrivateKey::from_pkcs8_der(&der).map_err(|e| {
                        bad_pem(&format!("the PKCS#8 private key is not an RSA key ({e})"))
                    })?);
                }
                "RSA PRIVATE KEY" => {
                    key = Some(RsaPrivateKey::from_pkcs1_der(&der).map_err(|e| {
                        bad_pem(&format!("the PKCS#1 private key cannot be read ({e})"))
                    })?);
                }
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(bad_pem(
                        "the private key is encrypted; give an unencrypted PEM key or a PKCS#12 file with its password",
                    ));
                }
                _ => {}
            }
        }
        let key = key.ok_or_else(|| bad_pem("no PRIVATE KEY or RSA PRIVATE KEY block"))?;
        if certificates.is_empty() {
            return Err(bad_pem("no CERTIFICATE block"));
        }
        Self::from_parts(key, &certificates)
    }

    /// Reads a certificate PEM and a separate private-key PEM.
    ///
    /// # Errors
    ///
    /// As [`ClientCertificate::from_pem`].
    pub fn from_pem_parts(certificate_pem: &[u8], key_pem: &[u8]) -> Result<Self, AuthError> {
        let mut joined = Zeroizing::new(Vec::with_capacity(
            certificate_pem
                .len()
                .saturating_add(key_pem.len())
                .saturating_add(1),
        ));
        joined.extend_from_slice(certificate_pem);
        joined.push(b'\n');
        joined.extend_from_slice(key_pem);
        Self::from_pem(&joined)
    }

    /// Reads a PKCS#12 (PFX) archive protected by `password` (may be empty), as exported
    /// from Azure Key Vault or Windows. Needs the `pkcs12` feature.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when the archive cannot be read (a wrong password among other causes),
    /// holds no private key, or its key is not RSA or matches none of its certificates.
    #[cfg(feature = "pkcs12")]
    pub fn from_pkcs12(archive: &[u8], password: &str) -> Result<Self, AuthError> {
        let contents = super::pfx::read(archive, password).map_err(|e| {
            AuthError::configuration(format!(
                "{NAME}: the PKCS#12 archive cannot be read: {}",
                e.0
            ))
        })?;
        let der = contents.key.ok_or_else(|| {
            AuthError::configuration(format!("{NAME}: the PKCS#12 archive holds no private key"))
        })?;
        let key = RsaPrivateKey::from_pkcs8_der(&der).map_err(|e| {
            AuthError::configuration(format!(
                "{NAME}: the PKCS#12 private key is not an RSA key ({e})"
            ))
        })?;
        Self::from_parts(key, &contents.certificates)
    }

    fn from_parts(key: RsaPrivateKey, certificates: &[Vec<u8>]) -> Result<Self, AuthError> {
        let public = RsaPublicKey::from(&key);
        let certificate = certificates
            .iter()
            .find(|der| certificate_public_key(der).is_some_and(|k| k == public))
            .ok_or_else(|| {
                AuthError::configuration(format!(
                    "{NAME}: the private key does not belong to the certificate (or the certificate is not an RSA certificate)"
                ))
            })?;
        let thumbprint = Base64UrlUnpadded::encode_string(&Sha256::digest(certificate));
        Ok(Self {
            key: Arc::new(SigningKey::new(key)),
            certificate_der: Arc::from(certificate.as_slice()),
            thumbprint,
        })
    }

    /// The certificate, DER-encoded (public).
    #[must_use]
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The `x5t#S256` thumbprint: base64url of the SHA-256 of the DER certificate.
    #[must_use]
    pub fn thumbprint_sha256(&self) -> &str {
        &self.thumbprint
    }

    /// A signed client assertion for `client_id` at token endpoint `audience`, valid from
    /// `now` for five minutes.
    pub(crate) fn assertion(
        &self,
        client_id: &str,
        audience: &str,
        now: SystemTime,
    ) -> Result<Zeroizing<String>, AuthError> {
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t#S256": self.thumbprint,
        });
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": crate::random::guid(),
            "iat": now,
            "nbf": now,
            "exp": now.saturating_add(ASSERTION_LIFETIME_SECONDS),
        });
        let signing_input = format!(
            "{}.{}",
            Base64UrlUnpadded::encode_string(header.to_string().as_bytes()),
            Base64UrlUnpadded::encode_string(claims.to_string().as_bytes())
        );
        let signature = self
            .key
            .try_sign(signing_input.as_bytes())
            .map_err(|e| AuthError::new(format!("{NAME}: signing the assertion failed: {e}")))?;
        Ok(Zeroizing::new(format!(
            "{signing_input}.{}",
            Base64UrlUnpadded::encode_string(&signature.to_vec())
        )))
    }
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("x5t#S256", &self.thumbprint)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

fn bad_pem(reason: &str) -> AuthError {
    AuthError::configuration(format!("{NAME}: the certificate PEM is unusable: {reason}"))
}

/// The RSA public key of a DER certificate, if it has one.
fn certificate_public_key(der: &[u8]) -> Option<RsaPublicKey> {
    let certificate = x509_cert::Certificate::from_der(der).ok()?;
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .ok()?;
    RsaPublicKey::from_public_key_der(&spki).ok()
}

/// Each `-----BEGIN …-----` … `-----END …-----` block of `text`, in order.
fn pem_blocks(text: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let from_start = &rest[start..];
        let Some(end_marker) = from_start.find("-----END ") else {
            break;
        };
        // Offsets into `from_start` found by `find`: each sum stays within its length.
        let end_text = end_marker.saturating_add("-----END ".len());
        let after_end = &from_start[end_text..];
        let Some(close) = after_end.find("-----") else {
            break;
        };
        let length = end_text.saturating_add(close).saturating_add("-----".len());
        blocks.push(&from_start[..length]);
        rest = &from_start[length..];
    }
    blocks
}

/// An app registration authenticating with a certificate: each token request carries a
/// fresh JWT client assertion signed with the certificate's key (RS256, `x5t#S256` header,
/// `aud` = the token endpoint, `iss` = `sub` = the client id, a random `jti`, five minutes
/// of validity).
#[derive(Clone)]
pub struct ClientCertificateCredential {
    client: ConfidentialClient,
    certificate: ClientCertificate,
}

impl ClientCertificateCredential {
    /// A credential for app `client_id` in `tenant` with `certificate`.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when the tenant is not a GUID or domain name or the client id is empty.
    pub fn new(
        tenant: &str,
        client_id: &str,
        certificate: ClientCertificate,
    ) -> Result<Self, AuthError> {
        Ok(Self {
            client: ConfidentialClient::new(NAME, tenant, client_id)?,
            certificate,
        })
    }

    confidential_builders!("ClientCertificateCredential");
}

impl fmt::Debug for ClientCertificateCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(NAME)
            .field("client", &self.client)
            .field("certificate", &self.certificate)
            .finish()
    }
}

#[async_trait]
impl TokenCredential for ClientCertificateCredential {
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError> {
        let assertion = self.certificate.assertion(
            &self.client.client_id,
            self.client.token_url().as_str(),
            SystemTime::now(),
        )?;
        self.client
            .request_token_with_assertion(NAME, request, assertion.as_str())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_are_split_in_order() {
        let text = "junk\n-----BEGIN A-----\nQQ==\n-----END A-----\nmore\n-----BEGIN B-----\nQg==\n-----END B-----\n-----BEGIN C-----\nbroken";
        let blocks = pem_blocks(text);
        assert_eq!(blocks.len(), 2);
        assert!(
            blocks[0].starts_with("-----BEGIN A-----") && blocks[0].ends_with("-----END A-----")
        );
        assert!(blocks[1].starts_with("-----BEGIN B-----"));
    }

    #[test]
    fn unusable_pem_is_named() {
        let no_key = ClientCertificate::from_pem(
            b"-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----\n",
        )
        .unwrap_err();
        assert!(no_key.to_string().contains("no PRIVATE KEY"), "{no_key}");
        let encrypted = ClientCertificate::from_pem(
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nQQ==\n-----END ENCRYPTED PRIVATE KEY-----\n",
        )
        .unwrap_err();
        assert!(encrypted.to_string().contains("encrypted"), "{encrypted}");
        #[cfg(feature = "pkcs12")]
        assert!(ClientCertificate::from_pkcs12(b"not a pfx", "pw").is_err());
    }
}
