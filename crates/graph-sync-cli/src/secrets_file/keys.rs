//! Secret key names as written in a file, a CSV header or on the command line: documented
//! spellings, case mistakes and the closest documented name for a typo.

use graph_sync_api::model::SecretKey;

use super::{FileError, ParseOptions};

pub(super) fn suggestion_text(suggestion: Option<&SecretKey>, case_only: bool) -> String {
    match (suggestion, case_only) {
        (Some(key), true) => {
            format!(": keys are case-sensitive and the documented spelling is `{key}`")
        }
        (Some(key), false) => format!(
            ": did you mean `{key}`? (pass --allow-unknown-keys to send an undocumented key)"
        ),
        (None, _) => ": not one of the 45 documented keys (pass --allow-unknown-keys to send \
                       an undocumented key)"
            .to_owned(),
    }
}

/// The key a name in the file stands for.
pub(super) fn parse_key(name: &str, options: ParseOptions) -> Result<SecretKey, FileError> {
    let key = SecretKey::parse(name)?;
    if !matches!(key, SecretKey::Other(_)) {
        return Ok(key);
    }
    if let Some(documented) = key.documented_spelling() {
        return Err(FileError::UnknownKey {
            key: name.to_owned(),
            suggestion: Some(documented),
            case_only: true,
        });
    }
    if options.allow_unknown_keys {
        return Ok(key);
    }
    Err(FileError::UnknownKey {
        key: name.to_owned(),
        suggestion: closest_key(name),
        case_only: false,
    })
}

/// Parses a key given on the command line (`secrets clear KEY…`) with the file's rules.
///
/// # Errors
///
/// As for a key in the file.
pub(crate) fn parse_key_argument(
    name: &str,
    options: ParseOptions,
) -> Result<SecretKey, FileError> {
    parse_key(name, options)
}

/// Parses the `position`th key argument of `secrets clear`, where a value typed after its key
/// by mistake (`SecretToken s3cr3t`) would otherwise be quoted back as an unknown key: an
/// unknown name is refused by position, with the closest documented key, and never repeated.
///
/// # Errors
///
/// [`FileError::UnknownArgument`] for a name that is not a documented key (unless allowed),
/// [`FileError::ValueArgument`] for `NAME=VALUE`, and the model's refusals.
pub(crate) fn parse_key_position(
    position: usize,
    name: &str,
    options: ParseOptions,
) -> Result<SecretKey, FileError> {
    if name.contains('=') {
        return Err(FileError::ValueArgument { position });
    }
    parse_key(name, options).map_err(|error| match error {
        FileError::UnknownKey {
            suggestion,
            case_only,
            ..
        } => FileError::UnknownArgument {
            position,
            suggestion,
            case_only,
        },
        other => other,
    })
}

/// The documented key closest to `name` (edit distance at most 3, ASCII case ignored).
fn closest_key(name: &str) -> Option<SecretKey> {
    let name = name.to_ascii_lowercase();
    SecretKey::ALL
        .iter()
        .map(|key| {
            (
                edit_distance(&name, &key.as_str().to_ascii_lowercase()),
                key,
            )
        })
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, key)| key.clone())
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
