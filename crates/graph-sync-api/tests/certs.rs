//! Test certificates, made at test time (no key is ever committed): RSA keys from the `rsa`
//! crate, self-signed X.509 certificates from `x509-cert`'s builder, PKCS#12 archives from
//! `p12-keystore`.

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use sha2::Sha256;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{Encode, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

/// A key and its self-signed certificate.
pub(crate) struct TestCertificate {
    pub(crate) certificate_pem: String,
    pub(crate) certificate_der: Vec<u8>,
    pub(crate) key_pem: String,
    pub(crate) key_der: Vec<u8>,
}

impl TestCertificate {
    fn generate(name: &str) -> Self {
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let signer = SigningKey::<Sha256>::new(key.clone());
        let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).unwrap();
        let certificate = CertificateBuilder::new(
            Profile::Root,
            SerialNumber::from(1u32),
            Validity::from_now(Duration::from_secs(24 * 3600)).unwrap(),
            Name::from_str(&format!("CN={name}")).unwrap(),
            spki,
            &signer,
        )
        .unwrap()
        .build::<rsa::pkcs1v15::Signature>()
        .unwrap();
        Self {
            certificate_pem: certificate.to_pem(LineEnding::LF).unwrap(),
            certificate_der: certificate.to_der().unwrap(),
            key_pem: key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            key_der: key.to_pkcs8_der().unwrap().as_bytes().to_vec(),
        }
    }

    /// Certificate and key in one PEM document, key first (order must not matter).
    pub(crate) fn combined_pem(&self) -> String {
        format!("{}{}", self.key_pem, self.certificate_pem)
    }

    /// A PKCS#12 archive of the key and certificate, protected by `password`.
    pub(crate) fn pkcs12(&self, password: &str) -> Vec<u8> {
        self.pkcs12_with(
            password,
            p12_keystore::EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
            p12_keystore::MacAlgorithm::HmacSha256,
        )
    }

    /// A PKCS#12 archive encrypted and authenticated as given (legacy ones included).
    pub(crate) fn pkcs12_with(
        &self,
        password: &str,
        encryption: p12_keystore::EncryptionAlgorithm,
        mac: p12_keystore::MacAlgorithm,
    ) -> Vec<u8> {
        let certificate = p12_keystore::Certificate::from_der(&self.certificate_der).unwrap();
        let chain =
            p12_keystore::PrivateKeyChain::new(self.key_der.clone(), [1u8; 20], [certificate]);
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            "graph-sync",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
        );
        store
            .writer(password)
            .encryption_algorithm(encryption)
            .mac_algorithm(mac)
            .write()
            .unwrap()
    }

    /// A chunk of the private key's PEM body, to look for in outputs.
    pub(crate) fn key_canary(&self) -> String {
        self.key_pem.lines().nth(5).unwrap().to_owned()
    }
}

/// The app's registered certificate.
pub(crate) fn registered() -> &'static TestCertificate {
    static CERT: OnceLock<TestCertificate> = OnceLock::new();
    CERT.get_or_init(|| TestCertificate::generate("graph-sync registered"))
}

/// A certificate the emulator does not know.
pub(crate) fn unregistered() -> &'static TestCertificate {
    static CERT: OnceLock<TestCertificate> = OnceLock::new();
    CERT.get_or_init(|| TestCertificate::generate("graph-sync stranger"))
}
