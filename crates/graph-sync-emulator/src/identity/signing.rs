//! The key the emulated Entra signs access tokens with (RS256), and the JWKS that publishes it.
//!
//! One RSA-2048 key per process, generated on first use (with aws-lc-rs, fast even in debug
//! builds) and shared by every emulator in the process: tokens are development tokens, and a
//! test suite starting hundreds of emulators must not generate hundreds of keys.

use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The signing key and its published form.
pub(crate) struct SigningKey {
    key: KeyPair,
    /// The key id (`kid`): base64url of the SHA-256 of the public modulus, truncated.
    kid: String,
    /// The JWK of the public key.
    jwk: Value,
}

impl std::fmt::Debug for SigningKey {
    /// The key id only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The process's signing key, generated on first use; `None` if generation failed.
pub(crate) fn signing_key() -> Option<&'static SigningKey> {
    static KEY: OnceLock<Option<SigningKey>> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = KeyPair::generate(KeySize::Rsa2048).ok()?;
        let public = PublicKeyComponents::<Vec<u8>>::from(key.public_key());
        let digest = Sha256::digest(&public.n);
        let kid = Base64UrlUnpadded::encode_string(&digest[..20]);
        let jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": kid,
            "n": Base64UrlUnpadded::encode_string(strip_zeros(&public.n)),
            "e": Base64UrlUnpadded::encode_string(strip_zeros(&public.e)),
        });
        Some(SigningKey { key, kid, jwk })
    })
    .as_ref()
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

impl SigningKey {
    /// `claims` as a compact RS256 JWT with this key's `kid`.
    pub(crate) fn sign(&self, claims: &Value) -> Option<String> {
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid});
        let signed = format!(
            "{}.{}",
            Base64UrlUnpadded::encode_string(header.to_string().as_bytes()),
            Base64UrlUnpadded::encode_string(claims.to_string().as_bytes())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signed.as_bytes(),
                &mut signature,
            )
            .ok()?;
        Some(format!(
            "{signed}.{}",
            Base64UrlUnpadded::encode_string(&signature)
        ))
    }

    /// The JWKS document: `{"keys":[…]}`.
    pub(crate) fn jwks(&self) -> Value {
        json!({"keys": [self.jwk]})
    }
}

#[cfg(test)]
mod tests {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;
    use rsa::{BigUint, RsaPublicKey};

    use super::*;

    #[test]
    fn tokens_verify_against_the_published_key() {
        let key = signing_key().unwrap();
        let token = key.sign(&json!({"aud": "x"})).unwrap();
        let jwk = &key.jwks()["keys"][0];
        let number = |name: &str| {
            BigUint::from_bytes_be(
                &Base64UrlUnpadded::decode_vec(jwk[name].as_str().unwrap()).unwrap(),
            )
        };
        let public = RsaPublicKey::new(number("n"), number("e")).unwrap();
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let signature =
            Signature::try_from(Base64UrlUnpadded::decode_vec(signature).unwrap().as_slice())
                .unwrap();
        assert!(
            VerifyingKey::<Sha256>::new(public)
                .verify(signed.as_bytes(), &signature)
                .is_ok()
        );
        assert!(!format!("{key:?}").contains("PRIVATE"));
    }
}
