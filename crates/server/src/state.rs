//! Shared state of a running server.

use std::sync::{Arc, RwLock};

use frontdesk_domain::directory::Directory;
use frontdesk_retell::signature::Verifier;
use frontdesk_store::{SharedStore, StoreError};

use crate::access::login::AddressFailures;
use crate::settings::Settings;

/// What every handler and worker shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: SharedStore,
    settings: Settings,
    directory: RwLock<Arc<Directory>>,
    verifier: Verifier,
    login_failures: AddressFailures,
}

impl AppState {
    /// Loads the directory and assembles the state.
    pub async fn new(store: SharedStore, settings: Settings) -> Result<Self, StoreError> {
        let directory = store.load_directory().await?;
        let verifier = Verifier::new(&settings.retell_api_keys);
        let directory = RwLock::new(Arc::new(directory));
        let login_failures = AddressFailures::new(settings.login_limits);
        Ok(Self { inner: Arc::new(Inner { store, settings, directory, verifier, login_failures }) })
    }

    /// The store.
    pub fn store(&self) -> &SharedStore {
        &self.inner.store
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// Verifies `X-Retell-Signature` with the configured keys.
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// Failed logins per client address.
    pub fn login_failures(&self) -> &AddressFailures {
        &self.inner.login_failures
    }

    /// The current tenant directory snapshot.
    pub fn directory(&self) -> Arc<Directory> {
        match self.inner.directory.read() {
            Ok(d) => Arc::clone(&d),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reloads the directory if the stored configuration changed; returns whether it did.
    pub async fn refresh_directory(&self) -> Result<bool, StoreError> {
        let stored = self.inner.store.config_version().await?;
        if stored == self.directory().version() {
            return Ok(false);
        }
        let fresh = Arc::new(self.inner.store.load_directory().await?);
        let mut slot = match self.inner.directory.write() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        if fresh.version() > slot.version() {
            *slot = fresh;
        }
        Ok(true)
    }
}
