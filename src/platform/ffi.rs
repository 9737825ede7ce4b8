//! The C surface of platform.h: `mbedtls_calloc`/`mbedtls_free` and their
//! hooks (`MBEDTLS_PLATFORM_MEMORY`), and the no-op platform setup.

use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::abi::platform::mbedtls_platform_context;
use crate::ffi::boundary;

/// The type of a calloc hook.
type CallocFn = unsafe extern "C" fn(n: usize, size: usize) -> *mut c_void;
/// The type of a free hook.
type FreeFn = unsafe extern "C" fn(ptr: *mut c_void);

use super::sys::{system_calloc, system_free};

// The installed hooks (function pointers, kept as pointers so they keep
// their provenance); NULL means the C library's calloc/free.
static CALLOC_HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
static FREE_HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

fn calloc_hook() -> CallocFn {
    let hook = CALLOC_HOOK.load(Ordering::Acquire);
    if hook.is_null() {
        return system_calloc;
    }
    // SAFETY: only `mbedtls_platform_set_calloc_free` stores non-NULL
    // values, and only function pointers of type `CallocFn`.
    unsafe { core::mem::transmute::<*mut (), CallocFn>(hook) }
}

fn free_hook() -> FreeFn {
    let hook = FREE_HOOK.load(Ordering::Acquire);
    if hook.is_null() {
        return system_free;
    }
    // SAFETY: as in `calloc_hook`, for `FreeFn`.
    unsafe { core::mem::transmute::<*mut (), FreeFn>(hook) }
}

/// Allocates zero-filled memory for `n` elements of `size` bytes through the
/// installed hook (the C library's `calloc` by default). Returns NULL when
/// the hook fails or when `n * size` overflows (checked here, so hooks never
/// see an overflowing request). For a zero-byte request the hook decides
/// between NULL and a unique pointer. Release the memory with
/// `mbedtls_free()`.
///
/// Thread safety: lock-free (the hook itself must be thread-safe).
#[cfg(mbedtls_platform_memory)]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_calloc(n: usize, size: usize) -> *mut c_void {
    boundary(|| {
        if n.checked_mul(size).is_none() {
            return core::ptr::null_mut();
        }
        // SAFETY: the hook has calloc's contract, and the product fits.
        unsafe { calloc_hook()(n, size) }
    })
}

/// Releases memory from `mbedtls_calloc()` through the installed hook. NULL
/// is accepted and ignored.
///
/// Thread safety: lock-free (the hook itself must be thread-safe).
///
/// # Safety
///
/// `ptr` is NULL or a pointer returned by `mbedtls_calloc()` (with the same
/// hooks installed) that has not been freed yet.
#[cfg(mbedtls_platform_memory)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_free(ptr: *mut c_void) {
    boundary(|| {
        if ptr.is_null() {
            return;
        }
        // SAFETY: per this function's contract, `ptr` came from the
        // matching calloc hook.
        unsafe { free_hook()(ptr) }
    })
}

/// Installs the functions behind `mbedtls_calloc()` and `mbedtls_free()`.
/// If either argument is NULL, both hooks go back to the C library's
/// functions (upstream would store the NULL and crash at the next
/// allocation; keeping the other hook would pair one allocator's memory
/// with another's free). Returns 0.
///
/// The calloc hook must return zero-filled memory or NULL; the free hook
/// must accept every pointer the calloc hook returned.
///
/// Thread safety: caller serialises. Install hooks before other threads
/// allocate, and not while memory from the previous hooks is still in use.
///
/// # Safety
///
/// The hooks must follow the contracts above.
#[cfg(mbedtls_platform_memory)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_platform_set_calloc_free(
    calloc_func: Option<unsafe extern "C" fn(n: usize, size: usize) -> *mut c_void>,
    free_func: Option<unsafe extern "C" fn(ptr: *mut c_void)>,
) -> c_int {
    boundary(|| {
        let (c, f) = match (calloc_func, free_func) {
            (Some(c), Some(f)) => (c as *mut (), f as *mut ()),
            _ => (core::ptr::null_mut(), core::ptr::null_mut()),
        };
        CALLOC_HOOK.store(c, Ordering::Release);
        FREE_HOOK.store(f, Ordering::Release);
        0
    })
}

/// The installed hooks as raw function pointers (NULL: the C library's),
/// for a module that installs its own and must put these back later.
#[cfg_attr(not(mbedtls_memory_buffer_alloc_c), allow(dead_code))]
pub(crate) fn raw_hooks() -> (*mut (), *mut ()) {
    (
        CALLOC_HOOK.load(Ordering::Acquire),
        FREE_HOOK.load(Ordering::Acquire),
    )
}

/// Puts back hooks saved with [`raw_hooks`].
#[cfg_attr(not(mbedtls_memory_buffer_alloc_c), allow(dead_code))]
pub(crate) fn restore_raw_hooks(hooks: (*mut (), *mut ())) {
    CALLOC_HOOK.store(hooks.0, Ordering::Release);
    FREE_HOOK.store(hooks.1, Ordering::Release);
}

/// Prepares the platform layer. This library needs no preparation: returns
/// 0 (also for a NULL `ctx`).
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_platform_setup(ctx: *mut mbedtls_platform_context) -> c_int {
    boundary(|| {
        let _ = ctx;
        0
    })
}

/// Undoes `mbedtls_platform_setup()`: nothing to do (NULL is accepted).
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_platform_teardown(ctx: *mut mbedtls_platform_context) {
    boundary(|| {
        let _ = ctx;
    })
}

#[cfg(all(test, mbedtls_platform_memory))]
mod tests {
    use super::*;
    use core::sync::atomic::AtomicUsize;

    static HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn counting_calloc(n: usize, size: usize) -> *mut c_void {
        HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarding calloc's own contract.
        unsafe { super::super::sys::system_calloc(n, size) }
    }

    #[test]
    fn hooks_overflow_and_null() {
        assert!(
            mbedtls_calloc(usize::MAX, 2).is_null(),
            "overflow is refused"
        );
        // SAFETY: NULL is accepted.
        unsafe { mbedtls_free(core::ptr::null_mut()) };
        // SAFETY: hooks with calloc's and free's contracts; reset afterwards.
        unsafe {
            assert_eq!(
                mbedtls_platform_set_calloc_free(Some(counting_calloc), None),
                0
            );
        }
        let p = mbedtls_calloc(4, 4);
        assert!(!p.is_null());
        // SAFETY: `p` came from mbedtls_calloc with the current hooks.
        unsafe { mbedtls_free(p) };
        assert_eq!(
            HOOK_CALLS.load(Ordering::SeqCst),
            0,
            "a lone hook is not installed"
        );
        // SAFETY: as above.
        unsafe {
            assert_eq!(
                mbedtls_platform_set_calloc_free(Some(counting_calloc), Some(system_free_hook)),
                0
            );
        }
        let p = mbedtls_calloc(1, 8);
        // SAFETY: as above.
        unsafe { mbedtls_free(p) };
        assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 1);
        // SAFETY: resets to the C library.
        unsafe { mbedtls_platform_set_calloc_free(None, None) };
        assert_eq!(mbedtls_platform_setup(core::ptr::null_mut()), 0);
        mbedtls_platform_teardown(core::ptr::null_mut());
    }

    unsafe extern "C" fn system_free_hook(p: *mut c_void) {
        // SAFETY: `p` came from the C library's calloc (counting_calloc).
        unsafe { super::super::sys::system_free(p) }
    }
}
