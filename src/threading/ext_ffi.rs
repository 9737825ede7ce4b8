//! The C surface of threading_ext.h: mbedcrypto-rs extensions (our names,
//! not upstream's) for programs that want to check the threading layer.

use core::ffi::{c_char, c_int, c_uint, c_void};
use core::sync::atomic::AtomicU32;

use crate::abi::threading::MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
use crate::abi::threading_ext::*;
use crate::ffi::boundary;

/// Which threading backend the library was built with:
/// `MBEDCRYPTO_THREADING_NONE`, `_BUILTIN`, `_PTHREAD` or `_ALT`.
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedcrypto_threading_backend() -> c_int {
    boundary(|| {
        if cfg!(mbedtls_threading_builtin) {
            MBEDCRYPTO_THREADING_BUILTIN
        } else if cfg!(mbedtls_threading_pthread) {
            MBEDCRYPTO_THREADING_PTHREAD
        } else if cfg!(mbedtls_threading_alt) {
            MBEDCRYPTO_THREADING_ALT
        } else {
            MBEDCRYPTO_THREADING_NONE
        }
    })
}

/// Returns 1 if contexts can be shared between threads right now: the
/// library was built with `MBEDTLS_THREADING_C` and, under
/// `MBEDTLS_THREADING_ALT`, `mbedtls_threading_set_alt()` has installed a
/// backend (and `mbedtls_threading_free_alt()` has not retired it).
/// Returns 0 otherwise. Meant for an assertion at start-up.
///
/// Thread safety: lock-free.
#[unsafe(no_mangle)]
pub extern "C" fn mbedcrypto_threading_is_thread_safe() -> c_int {
    boundary(|| {
        #[cfg(mbedtls_threading_alt)]
        return c_int::from(super::alt::ready());
        #[cfg(not(mbedtls_threading_alt))]
        return c_int::from(cfg!(mbedtls_threading_c));
    })
}

/// Checks that the program was compiled with headers that match the
/// library: `backend` must be the program's `MBEDCRYPTO_THREADING_BACKEND`,
/// `mutex_size` and `mutex_align` its `sizeof` and alignment of
/// `mbedtls_threading_mutex_t` (0 and 0 without threading; an alignment of
/// 0 means "unknown" and is not compared). A mismatch means the program was
/// built against the headers of another configuration, and contexts would
/// not have the layout the library expects. Use
/// `MBEDCRYPTO_THREADING_CHECK_ABI()`, which passes all three. Returns 0 on
/// a match, `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA` otherwise.
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedcrypto_threading_abi_matches(
    backend: c_int,
    mutex_size: usize,
    mutex_align: usize,
) -> c_int {
    boundary(|| {
        #[cfg(mbedtls_threading_c)]
        let (size, align) = (
            core::mem::size_of::<crate::abi::threading::mbedtls_threading_mutex_t>(),
            core::mem::align_of::<crate::abi::threading::mbedtls_threading_mutex_t>(),
        );
        #[cfg(not(mbedtls_threading_c))]
        let (size, align) = (0usize, 0usize);
        let align_ok = mutex_align == 0 || mutex_align == align;
        if backend == mbedcrypto_threading_backend() && mutex_size == size && align_ok {
            0
        } else {
            MBEDTLS_ERR_THREADING_BAD_INPUT_DATA
        }
    })
}

/// The number of live mutexes: calls to `mbedtls_mutex_init()` that
/// initialised a mutex, minus calls to `mbedtls_mutex_free()` that freed
/// one (double inits and refused frees do not count; the library's global
/// mutexes are not included). A program can compare it before and after
/// some work to find contexts it forgot to free.
///
/// Thread safety: lock-free.
#[unsafe(no_mangle)]
pub extern "C" fn mbedcrypto_mutex_live_count() -> usize {
    boundary(super::live_mutexes)
}

/// Under `MBEDTLS_THREADING_ALT`: the number of `mbedtls_mutex_init()` calls
/// refused because the library's table of mutexes was full (their locks
/// fail with `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA`). Raise the capacity
/// with `MBEDCRYPTO_ALT_MUTEX_SLOTS` when building the library. Always 0
/// with the other backends.
///
/// Thread safety: lock-free.
#[unsafe(no_mangle)]
pub extern "C" fn mbedcrypto_threading_alt_overflows() -> c_uint {
    boundary(|| {
        #[cfg(mbedtls_threading_alt)]
        return super::alt::overflows();
        #[cfg(not(mbedtls_threading_alt))]
        return 0;
    })
}

/// Runs `init_fn(arg)` exactly once for `once`, however many threads call
/// this: the first caller runs it, the others wait until it has returned.
/// All callers return 0 once it has run.
///
/// Unlike `pthread_once()`, a call made from inside `init_fn` for the same
/// flag (directly or through other code) returns
/// `MBEDTLS_ERR_THREADING_MUTEX_ERROR` instead of deadlocking. In firmware
/// builds, which cannot tell tasks apart, any call that finds `init_fn`
/// still running returns that error instead of waiting (call again later). Returns
/// `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA` if `once` or `init_fn` is NULL or
/// the flag's memory is corrupted. `init_fn` must return (not `longjmp` out).
///
/// Thread safety: locked (on `once`).
///
/// # Safety
///
/// `once` is NULL or points to a `mbedcrypto_once_t` that stays valid and is
/// only used through this function; `init_fn` is safe to call with `arg`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedcrypto_once(
    once: *mut mbedcrypto_once_t,
    init_fn: Option<unsafe extern "C" fn(arg: *mut c_void)>,
    arg: *mut c_void,
) -> c_int {
    boundary(|| {
        let Some(f) = init_fn else {
            return MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
        };
        if once.is_null() || !once.is_aligned() {
            return MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
        }
        // SAFETY: `once` is non-NULL and valid per the contract; its fields
        // are u32s (aligned for AtomicU32) only accessed atomically here.
        let (state, owner) = unsafe {
            (
                AtomicU32::from_ptr(&raw mut (*once).state),
                AtomicU32::from_ptr(&raw mut (*once).owner),
            )
        };
        // SAFETY: calling the application's function with its argument, as
        // the contract allows.
        match super::call_once(state, owner, || unsafe { f(arg) }) {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    })
}

/// The version of mbedcrypto-rs itself (for example `"0.1.0"`), as a static
/// NUL-terminated string. The Mbed TLS API version is in version.h.
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedcrypto_version_get_string() -> *const c_char {
    boundary(|| crate::version::MBEDCRYPTO_VERSION_CSTR.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::{AtomicUsize, Ordering};

    static RUNS: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn count_run(_arg: *mut c_void) {
        RUNS.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn once_through_the_c_api() {
        let mut flag = mbedcrypto_once_t { state: 0, owner: 0 };
        // SAFETY: a valid flag and a function that ignores its argument.
        unsafe {
            assert_eq!(
                mbedcrypto_once(&mut flag, Some(count_run), core::ptr::null_mut()),
                0
            );
            assert_eq!(
                mbedcrypto_once(&mut flag, Some(count_run), core::ptr::null_mut()),
                0
            );
            assert_eq!(
                mbedcrypto_once(
                    core::ptr::null_mut(),
                    Some(count_run),
                    core::ptr::null_mut()
                ),
                MBEDTLS_ERR_THREADING_BAD_INPUT_DATA
            );
            assert_eq!(
                mbedcrypto_once(&mut flag, None, core::ptr::null_mut()),
                MBEDTLS_ERR_THREADING_BAD_INPUT_DATA
            );
        }
        assert_eq!(RUNS.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn abi_and_backend_queries() {
        let backend = mbedcrypto_threading_backend();
        #[cfg(mbedtls_threading_c)]
        let (size, align) = (
            core::mem::size_of::<crate::abi::threading::mbedtls_threading_mutex_t>(),
            core::mem::align_of::<crate::abi::threading::mbedtls_threading_mutex_t>(),
        );
        #[cfg(not(mbedtls_threading_c))]
        let (size, align) = (0, 0);
        assert_eq!(mbedcrypto_threading_abi_matches(backend, size, align), 0);
        assert_eq!(mbedcrypto_threading_abi_matches(backend, size, 0), 0);
        assert_ne!(
            mbedcrypto_threading_abi_matches(backend, size + 1, align),
            0
        );
        assert_ne!(
            mbedcrypto_threading_abi_matches(backend + 1, size, align),
            0
        );
        assert_eq!(mbedcrypto_threading_alt_overflows(), 0);
        // SAFETY: the function returns a static NUL-terminated string.
        let v = unsafe { core::ffi::CStr::from_ptr(mbedcrypto_version_get_string()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
