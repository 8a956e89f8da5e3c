//! The control API's own substate: the admin token that authenticates it and the settings an
//! emulator started with, to which `POST /_emulator/reset` returns.

use std::sync::{Mutex, PoisonError};

use crate::control::settings::Settings;

/// The admin token and the baseline settings.
#[derive(Debug)]
pub(crate) struct Admin {
    token: String,
    baseline: Mutex<Settings>,
}

impl Default for Admin {
    fn default() -> Self {
        Self {
            token: format!(
                "graph-sync-emulator-admin.{}",
                uuid::Uuid::new_v4().as_simple()
            ),
            baseline: Mutex::default(),
        }
    }
}

impl Admin {
    /// The admin token (an emulator value, printed in the banner on purpose).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Whether `presented` is the admin token (compared in constant time).
    pub(crate) fn accepts(&self, presented: &[u8]) -> bool {
        let expected = self.token.as_bytes();
        presented.len() == expected.len()
            && presented
                .iter()
                .zip(expected)
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0
    }

    /// The settings a reset returns to.
    pub(crate) fn baseline(&self) -> Settings {
        self.baseline
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Makes `settings` the baseline.
    pub(crate) fn set_baseline(&self, settings: Settings) {
        *self.baseline.lock().unwrap_or_else(PoisonError::into_inner) = settings;
    }
}
