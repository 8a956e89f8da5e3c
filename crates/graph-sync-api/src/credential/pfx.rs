//! Reads a PKCS#12 (PFX) archive into its private key and certificates, on the same X.509
//! stack as the PEM path (`x509-cert`, `der`, `cms`; RustCrypto's `pkcs12` for the ASN.1 and
//! its key derivation).
//!
//! What archives hold in practice, and so what is read:
//!
//! * the integrity MAC (HMAC-SHA-1 or HMAC-SHA-256, keyed by the PKCS#12 KDF), checked first,
//!   so that a wrong password is named as such;
//! * PBES2 encryption (PBKDF2 with HMAC-SHA-256 or SHA-1, AES-CBC or 3DES), the default of
//!   OpenSSL 3, Azure Key Vault and recent Windows;
//! * the legacy PKCS#12 PBEs `pbeWithSHAAnd3-KeyTripleDES-CBC` (keys, older Windows) and
//!   `pbeWithSHAAnd40BitRC2-CBC` (certificates, OpenSSL 1.x);
//! * key bags (plain or shrouded) and X.509 certificate bags; other bags are skipped.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipher, BlockDecrypt, BlockDecryptMut, KeyInit, KeyIvInit};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use hmac::{Hmac, Mac};
use pkcs12::cert_type::CertBag;
use pkcs12::kdf::{Pkcs12KeyType, derive_key_utf8};
use pkcs12::mac_data::MacData;
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeContents;
use sha1::Sha1;
use sha2::Sha256;
use x509_cert::der::asn1::{ContextSpecific, ObjectIdentifier, OctetString};
use x509_cert::der::oid::db::rfc5911::{ID_DATA, ID_ENCRYPTED_DATA};
use x509_cert::der::{Decode, Encode};
use x509_cert::spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

/// `id-PBES2` (RFC 8018).
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
/// `id-sha1`.
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-sha256`.
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `x509Certificate` in a certBag (PKCS#9).
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");

/// The most KDF iterations accepted: archives use 2,048 to 600,000; more is a file made to
/// stall the reader.
const MAX_ITERATIONS: i32 = 10_000_000;

/// What an archive holds: its (first) private key as PKCS#8 DER, and its certificates as DER.
pub(super) struct Contents {
    pub(super) key: Option<Zeroizing<Vec<u8>>>,
    pub(super) certificates: Vec<Vec<u8>>,
}

/// Why an archive could not be read. The text never holds key material.
#[derive(Debug)]
pub(super) struct Pkcs12Error(pub(super) String);

fn error(reason: impl Into<String>) -> Pkcs12Error {
    Pkcs12Error(reason.into())
}

fn malformed(what: &str, e: impl std::fmt::Display) -> Pkcs12Error {
    error(format!("{what} is malformed ({e})"))
}

/// Reads `archive`, protected by `password` (may be empty).
pub(super) fn read(archive: &[u8], password: &str) -> Result<Contents, Pkcs12Error> {
    let pfx = Pfx::from_der(archive).map_err(|e| malformed("the archive", e))?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(error(
            "the archive is signed with a public key, not protected by a password",
        ));
    }
    let auth_safe = octets(&pfx.auth_safe).map_err(|e| malformed("the archive", e))?;
    if let Some(mac) = &pfx.mac_data {
        verify_mac(mac, password, &auth_safe)?;
    }
    let safes = Vec::<ContentInfo>::from_der(&auth_safe)
        .map_err(|e| malformed("the archive's contents", e))?;
    let mut contents = Contents {
        key: None,
        certificates: Vec::new(),
    };
    for safe in &safes {
        let plain = if safe.content_type == ID_DATA {
            Zeroizing::new(octets(safe).map_err(|e| malformed("a safe", e))?)
        } else if safe.content_type == ID_ENCRYPTED_DATA {
            let encrypted = safe
                .content
                .decode_as::<EncryptedData>()
                .map_err(|e| malformed("an encrypted safe", e))?;
            let info = &encrypted.enc_content_info;
            match &info.encrypted_content {
                Some(data) => decrypt(&info.content_enc_alg, data.as_bytes(), password)?,
                None => continue,
            }
        } else {
            // Enveloped (public-key) safes need a key this reader does not have.
            continue;
        };
        let bags = SafeContents::from_der(&plain).map_err(|e| malformed("a safe", e))?;
        for bag in bags {
            read_bag(&bag.bag_id, &bag.bag_value, password, &mut contents)?;
        }
    }
    Ok(contents)
}

fn read_bag(
    id: &ObjectIdentifier,
    value: &[u8],
    password: &str,
    contents: &mut Contents,
) -> Result<(), Pkcs12Error> {
    if *id == pkcs12::PKCS_12_CERT_BAG_OID {
        let bag = ContextSpecific::<CertBag>::from_der(value)
            .map_err(|e| malformed("a certificate bag", e))?
            .value;
        if bag.cert_id == X509_CERTIFICATE {
            contents.certificates.push(bag.cert_value.into_bytes());
        }
    } else if *id == pkcs12::PKCS_12_PKCS8_KEY_BAG_OID {
        let bag = ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(value)
            .map_err(|e| malformed("a key bag", e))?
            .value;
        let key = decrypt(
            &bag.encryption_algorithm,
            bag.encrypted_data.as_bytes(),
            password,
        )?;
        contents.key.get_or_insert(key);
    } else if *id == pkcs12::PKCS_12_KEY_BAG_OID {
        // A plain key bag: the PKCS#8 PrivateKeyInfo itself, inside the [0] wrapper.
        let wrapped = ContextSpecific::<x509_cert::der::Any>::from_der(value)
            .map_err(|e| malformed("a key bag", e))?;
        let der = Zeroizing::new(
            wrapped
                .value
                .to_der()
                .map_err(|e| malformed("a key bag", e))?,
        );
        contents.key.get_or_insert(der);
    }
    Ok(())
}

/// The bytes of a `data` content: an OCTET STRING.
fn octets(info: &ContentInfo) -> Result<Vec<u8>, x509_cert::der::Error> {
    Ok(info.content.decode_as::<OctetString>()?.into_bytes())
}

fn iterations(count: i32) -> Result<i32, Pkcs12Error> {
    if (1..=MAX_ITERATIONS).contains(&count) {
        Ok(count)
    } else {
        Err(error(format!(
            "the archive asks for {count} key-derivation iterations (accepted: 1 to {MAX_ITERATIONS})"
        )))
    }
}

fn verify_mac(mac: &MacData, password: &str, data: &[u8]) -> Result<(), Pkcs12Error> {
    let salt = mac.mac_salt.as_bytes();
    let rounds = iterations(mac.iterations)?;
    let expected = mac.mac.digest.as_bytes();
    let ok = match mac.mac.algorithm.oid {
        SHA1 => hmac_matches::<Hmac<Sha1>, Sha1>(password, salt, rounds, 20, data, expected)?,
        SHA256 => hmac_matches::<Hmac<Sha256>, Sha256>(password, salt, rounds, 32, data, expected)?,
        other => {
            return Err(error(format!(
                "the archive's integrity check uses an unsupported digest ({other})"
            )));
        }
    };
    if ok {
        Ok(())
    } else {
        Err(error(
            "wrong password (the archive's integrity check fails)",
        ))
    }
}

fn hmac_matches<M, D>(
    password: &str,
    salt: &[u8],
    rounds: i32,
    key_len: usize,
    data: &[u8],
    expected: &[u8],
) -> Result<bool, Pkcs12Error>
where
    M: Mac + KeyInit,
    D: sha2::Digest + sha2::digest::FixedOutputReset + sha2::digest::core_api::BlockSizeUser,
{
    let key = Zeroizing::new(
        derive_key_utf8::<D>(password, salt, Pkcs12KeyType::Mac, rounds, key_len)
            .map_err(|e| malformed("the password", e))?,
    );
    let mut mac = <M as KeyInit>::new_from_slice(&key).map_err(|_| error("bad MAC key length"))?;
    mac.update(data);
    Ok(mac.verify_slice(expected).is_ok())
}

/// Decrypts `data` as `algorithm` says (PBES2, or a legacy PKCS#12 PBE).
fn decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    data: &[u8],
    password: &str,
) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
    let parameters = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| error("an encryption algorithm has no parameters"))?;
    let oid = algorithm.oid;
    if oid == PBES2 {
        let parameters = parameters
            .decode_as::<pkcs5::pbes2::Parameters<'_>>()
            .map_err(|e| malformed("the PBES2 parameters", e))?;
        return parameters
            .decrypt(password.as_bytes(), data)
            .map(Zeroizing::new)
            .map_err(|_| error("wrong password, or an unsupported PBES2 cipher"));
    }
    let parameters = parameters
        .decode_as::<Pkcs12PbeParams>()
        .map_err(|e| malformed("the PBE parameters", e))?;
    let salt = parameters.salt.as_bytes();
    let rounds = iterations(parameters.iterations)?;
    if oid == pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC {
        legacy::<des::TdesEde3>(password, salt, rounds, 24, data)
    } else if oid == pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC {
        legacy::<rc2::Rc2>(password, salt, rounds, 5, data)
    } else if oid == pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC2_CBC {
        legacy::<rc2::Rc2>(password, salt, rounds, 16, data)
    } else {
        Err(error(format!(
            "the archive is encrypted with an unsupported algorithm ({oid})"
        )))
    }
}

/// A legacy PKCS#12 PBE: key and IV from the PKCS#12 KDF with SHA-1, then CBC.
fn legacy<C>(
    password: &str,
    salt: &[u8],
    rounds: i32,
    key_len: usize,
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error>
where
    C: BlockCipher + BlockDecrypt + KeyInit,
{
    let derive = |kind, len| {
        derive_key_utf8::<Sha1>(password, salt, kind, rounds, len)
            .map(Zeroizing::new)
            .map_err(|e| malformed("the password", e))
    };
    let key = derive(Pkcs12KeyType::EncryptionKey, key_len)?;
    let iv = derive(Pkcs12KeyType::Iv, 8)?;
    // RC2 takes keys of any length; `new_from_slices` gives each cipher its own rule.
    let cipher = cbc::Decryptor::<C>::new_from_slices(&key, &iv)
        .map_err(|_| error("bad key length for the archive's cipher"))?;
    cipher
        .decrypt_padded_vec_mut::<Pkcs7>(data)
        .map(Zeroizing::new)
        .map_err(|_| error("wrong password (the decrypted data has no valid padding)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_hostile_counts_are_errors() {
        assert!(read(b"not a pfx", "pw").is_err());
        assert!(read(&[], "").is_err());
        assert!(iterations(0).is_err());
        assert!(iterations(-5).is_err());
        assert!(iterations(i32::MAX).is_err());
        assert_eq!(iterations(2048).ok(), Some(2048));
    }
}
