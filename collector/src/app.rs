//! The state shared by all connection threads: where the files are, the store and the
//! current fault, each behind its own lock (never held together).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::faults::FaultBoard;
use crate::store::Store;

/// Shared collector state.
#[derive(Debug)]
pub struct App {
    root: PathBuf,
    store: Mutex<Store>,
    faults: Mutex<FaultBoard>,
}

impl App {
    /// Opens (and truncates) the event log; static files are served from under `root`.
    pub fn open(root: &Path, log_path: &Path) -> io::Result<App> {
        Ok(App {
            root: root.to_path_buf(),
            store: Mutex::new(Store::open(log_path)?),
            faults: Mutex::new(FaultBoard::default()),
        })
    }

    /// The repository root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The store. A thread that panicked while holding it leaves it usable: one bad
    /// request must not take the server down.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The fault board (same poisoning rule as [`App::store`]).
    pub fn faults(&self) -> MutexGuard<'_, FaultBoard> {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
