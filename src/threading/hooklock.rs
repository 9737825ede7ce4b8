//! A value behind a mutex of the library's own, locked through the
//! `mbedtls_mutex_*` hooks like a context's mutex: for data structures
//! that split one context into parts with a lock each (the session cache's
//! shards), so that a firmware build's RTOS mutex, or the program's own
//! alternative functions, serve those locks too.

#[cfg(mbedtls_threading_c)]
use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::ffi::c_int;
use core::ops::{Deref, DerefMut};

#[cfg(mbedtls_threading_c)]
use crate::abi::threading::{MBEDTLS_ERR_THREADING_BAD_INPUT_DATA, mbedtls_threading_mutex_t};
#[cfg(not(mbedtls_threading_c))]
use core::sync::atomic::{AtomicBool, Ordering};

/// A mutex in a block of its own cache line (so the mutexes of two parts
/// never share a line).
#[cfg(mbedtls_threading_c)]
#[repr(align(64))]
struct Line(UnsafeCell<mbedtls_threading_mutex_t>);

/// `T` behind a hook mutex.
pub(crate) struct HookLocked<T> {
    #[cfg(mbedtls_threading_c)]
    mutex: Box<Line>,
    /// Without threading support: a flag that refuses a second lock.
    #[cfg(not(mbedtls_threading_c))]
    busy: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: `value` is only reached through a guard, and a guard exists only
// while the mutex is held, so at most one thread reaches it at a time; T
// itself moves between threads, hence `T: Send`.
unsafe impl<T: Send> Sync for HookLocked<T> {}
// SAFETY: as above; the mutex is plain data owned by this value.
unsafe impl<T: Send> Send for HookLocked<T> {}

/// Access to the value while the mutex is held; dropping it unlocks. Not
/// `Send`: a mutex is unlocked by the thread that locked it.
pub(crate) struct HookGuard<'a, T> {
    lock: &'a HookLocked<T>,
    _not_send: core::marker::PhantomData<*const ()>,
}

impl<T> HookLocked<T> {
    /// `value` behind a new mutex, initialised through `mbedtls_mutex_init`.
    pub(crate) fn new(value: T) -> Self {
        #[cfg(mbedtls_threading_c)]
        {
            // SAFETY: every backend's mutex type is integers and byte arrays
            // (the pthread one wraps pthread_mutex_t, a C struct of
            // integers), for which all-zero bytes is a valid value; it is the
            // state a context's mutex has before its init, too.
            let m: mbedtls_threading_mutex_t = unsafe { core::mem::zeroed() };
            let lock = HookLocked {
                mutex: Box::new(Line(UnsafeCell::new(m))),
                value: UnsafeCell::new(value),
            };
            // SAFETY: reading the hook by value; programs set the hooks
            // before starting threads, as with upstream.
            if let Some(f) = unsafe { super::ffi::mbedtls_mutex_init } {
                // SAFETY: the mutex is ours, boxed (its address is stable),
                // and not yet initialised.
                unsafe { f(lock.mutex.0.get()) }
            }
            lock
        }
        #[cfg(not(mbedtls_threading_c))]
        HookLocked {
            busy: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Locks: the guard, or the lock hook's error code.
    pub(crate) fn lock(&self) -> Result<HookGuard<'_, T>, c_int> {
        #[cfg(mbedtls_threading_c)]
        {
            // SAFETY: as in `new`.
            let rc = match unsafe { super::ffi::mbedtls_mutex_lock } {
                // SAFETY: our initialised mutex.
                Some(f) => unsafe { f(self.mutex.0.get()) },
                None => MBEDTLS_ERR_THREADING_BAD_INPUT_DATA,
            };
            if rc != 0 {
                return Err(rc);
            }
        }
        #[cfg(not(mbedtls_threading_c))]
        if self.busy.swap(true, Ordering::Acquire) {
            return Err(crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR);
        }
        Ok(HookGuard {
            lock: self,
            _not_send: core::marker::PhantomData,
        })
    }
}

impl<T> HookGuard<'_, T> {
    /// Unlocks: 0 or the unlock hook's error code.
    pub(crate) fn unlock(self) -> c_int {
        let rc = self.release();
        core::mem::forget(self);
        rc
    }

    fn release(&self) -> c_int {
        #[cfg(mbedtls_threading_c)]
        {
            // SAFETY: as in `new`.
            match unsafe { super::ffi::mbedtls_mutex_unlock } {
                // SAFETY: our mutex, held by this guard.
                Some(f) => unsafe { f(self.lock.mutex.0.get()) },
                None => MBEDTLS_ERR_THREADING_BAD_INPUT_DATA,
            }
        }
        #[cfg(not(mbedtls_threading_c))]
        {
            self.lock.busy.store(false, Ordering::Release);
            0
        }
    }
}

impl<T> Drop for HookGuard<'_, T> {
    fn drop(&mut self) {
        let _ = self.release();
    }
}

impl<T> Deref for HookGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex (see the Sync impl).
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for HookGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex, and `&mut self` makes this the
        // only reference derived from it.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> HookLocked<T> {
    /// The value, through exclusive access (no locking needed).
    #[cfg(test)]
    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

#[cfg(mbedtls_threading_c)]
impl<T> Drop for HookLocked<T> {
    fn drop(&mut self) {
        // SAFETY: as in `new`.
        if let Some(f) = unsafe { super::ffi::mbedtls_mutex_free } {
            // SAFETY: our mutex; `&mut self` means no guard is alive, so it
            // is not held.
            unsafe { f(self.mutex.0.get()) }
        }
    }
}
