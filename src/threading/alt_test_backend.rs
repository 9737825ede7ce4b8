//! A mutex backend for running the library's own Rust tests in the
//! `MBEDTLS_THREADING_ALT` configuration, where nothing locks until an
//! application installs its functions. The lock state lives in a table
//! keyed by the mutex's address (the application's mutex memory is not
//! touched), with a std mutex and condition variable per entry.
//!
//! Not part of the C API: Rust tests call [`install_test_alt_backend`].

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use core::ffi::c_int;

use crate::abi::threading::{
    MBEDTLS_ERR_THREADING_BAD_INPUT_DATA, MBEDTLS_ERR_THREADING_MUTEX_ERROR,
    mbedtls_threading_mutex_t,
};

type Entry = Arc<(Mutex<bool>, Condvar)>;

fn table() -> &'static Mutex<HashMap<usize, Entry>> {
    static T: OnceLock<Mutex<HashMap<usize, Entry>>> = OnceLock::new();
    T.get_or_init(Default::default)
}

fn entry(m: *mut mbedtls_threading_mutex_t) -> Option<Entry> {
    table().lock().ok()?.get(&(m as usize)).cloned()
}

extern "C" fn init(m: *mut mbedtls_threading_mutex_t) {
    if let Ok(mut t) = table().lock() {
        t.insert(m as usize, Arc::new((Mutex::new(false), Condvar::new())));
    }
}

extern "C" fn free(m: *mut mbedtls_threading_mutex_t) {
    if let Ok(mut t) = table().lock() {
        t.remove(&(m as usize));
    }
}

extern "C" fn lock(m: *mut mbedtls_threading_mutex_t) -> c_int {
    let Some(e) = entry(m) else {
        return MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
    };
    let Ok(mut locked) = e.0.lock() else {
        return MBEDTLS_ERR_THREADING_MUTEX_ERROR;
    };
    while *locked {
        locked = match e.1.wait(locked) {
            Ok(g) => g,
            Err(_) => return MBEDTLS_ERR_THREADING_MUTEX_ERROR,
        };
    }
    *locked = true;
    0
}

extern "C" fn unlock(m: *mut mbedtls_threading_mutex_t) -> c_int {
    let Some(e) = entry(m) else {
        return MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
    };
    let Ok(mut locked) = e.0.lock() else {
        return MBEDTLS_ERR_THREADING_MUTEX_ERROR;
    };
    *locked = false;
    e.1.notify_one();
    0
}

/// Installs the test backend with `mbedtls_threading_set_alt` (once per
/// process; later calls do nothing).
#[doc(hidden)]
pub fn install_test_alt_backend() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: the four functions accept any mutex pointer (they only
        // use its address) and are thread-safe.
        unsafe {
            super::ffi::mbedtls_threading_set_alt(Some(init), Some(free), Some(lock), Some(unlock))
        };
    });
}
