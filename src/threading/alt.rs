//! The `MBEDTLS_THREADING_ALT` backend: the application's four mutex
//! functions, installed with `mbedtls_threading_set_alt`, behind the checks
//! of [`AltTable`].
//!
//! The public `mbedtls_mutex_*` pointers keep pointing at the library's
//! checking wrappers (upstream points them at the application's functions);
//! the wrappers call the application's functions. A program that wraps the
//! pointers itself still works, since it calls what it found there.

use core::ffi::c_int;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, AtomicU8, AtomicU32, Ordering};

use super::alt_table::{AltOps, AltTable, FreeOutcome, InitOutcome, Slot};
use super::{Lifecycle, ThreadingError, thread_id};
use crate::abi::threading::{MBEDTLS_ERR_THREADING_BAD_INPUT_DATA, mbedtls_threading_mutex_t};

// Number of mutexes the side table can track, set at build time.
include!(concat!(env!("OUT_DIR"), "/alt_slots.rs"));

static TABLE_SLOTS: [Slot; SLOTS] = [const { Slot::new() }; SLOTS];
static TABLE_OVERFLOW: AtomicU32 = AtomicU32::new(0);

fn table() -> AltTable<'static> {
    AltTable::new(&TABLE_SLOTS, &TABLE_OVERFLOW)
}

/// No backend installed yet.
const NONE: u8 = 0;
/// `mbedtls_threading_set_alt` installed a backend.
const READY: u8 = 1;
/// `mbedtls_threading_free_alt` ran: live mutexes still use the stored
/// functions, but nothing is initialised lazily any more.
const RETIRED: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(NONE);
// The application's functions, stored as pointers (NULL = none).
static F_INIT: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
static F_FREE: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
static F_LOCK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
static F_UNLOCK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Storage for the library's own lazy-initialisation mutex, of the
/// application's type.
struct LazyMutex(core::cell::UnsafeCell<mbedtls_threading_mutex_t>);
// SAFETY: the application's mutex functions are what make it shareable; the
// library only hands its address to them.
unsafe impl Sync for LazyMutex {}
static LAZY: LazyMutex = LazyMutex(core::cell::UnsafeCell::new(mbedtls_threading_mutex_t {
    opaque: [0; core::mem::size_of::<mbedtls_threading_mutex_t>()],
}));

/// The type of the application's init and free functions.
pub(crate) type VoidFn = unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t);
/// The type of the application's lock and unlock functions.
pub(crate) type IntFn = unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t) -> c_int;

/// The installed application functions.
#[derive(Clone, Copy)]
struct UserOps {
    init: VoidFn,
    free: VoidFn,
    lock: IntFn,
    unlock: IntFn,
    lazy_ready: bool,
}

fn user_ops() -> Option<UserOps> {
    let state = STATE.load(Ordering::Acquire);
    if state == NONE {
        return None;
    }
    let (i, f, l, u) = (
        F_INIT.load(Ordering::Acquire),
        F_FREE.load(Ordering::Acquire),
        F_LOCK.load(Ordering::Acquire),
        F_UNLOCK.load(Ordering::Acquire),
    );
    if i.is_null() || f.is_null() || l.is_null() || u.is_null() {
        return None;
    }
    // SAFETY: the pointers were stored by `set_alt` from function pointers
    // of exactly these types.
    unsafe {
        Some(UserOps {
            init: core::mem::transmute::<*mut (), VoidFn>(i),
            free: core::mem::transmute::<*mut (), VoidFn>(f),
            lock: core::mem::transmute::<*mut (), IntFn>(l),
            unlock: core::mem::transmute::<*mut (), IntFn>(u),
            lazy_ready: state == READY,
        })
    }
}

fn as_mutex(addr: usize) -> *mut mbedtls_threading_mutex_t {
    addr as *mut mbedtls_threading_mutex_t
}

impl AltOps for UserOps {
    fn init(&self, addr: usize) {
        // SAFETY: `addr` is the address of a mutex the application handed
        // to mbedtls_mutex_init; its function was installed for such calls.
        unsafe { (self.init)(as_mutex(addr)) }
    }
    fn free(&self, addr: usize) {
        // SAFETY: as in `init`, for a mutex the table knows to be live.
        unsafe { (self.free)(as_mutex(addr)) }
    }
    fn lock(&self, addr: usize) -> c_int {
        // SAFETY: as in `init`, for a live mutex.
        unsafe { (self.lock)(as_mutex(addr)) }
    }
    fn unlock(&self, addr: usize) -> c_int {
        // SAFETY: as in `init`, for a live mutex this thread holds.
        unsafe { (self.unlock)(as_mutex(addr)) }
    }
    fn fingerprint(&self, addr: usize) -> u32 {
        // SAFETY: `addr` is the address of a mutex of the application's type
        // (size measured at build time) that the caller passed to
        // mbedtls_mutex_init, which no other thread uses during init.
        let bytes = unsafe {
            core::slice::from_raw_parts(
                addr as *const u8,
                core::mem::size_of::<mbedtls_threading_mutex_t>(),
            )
        };
        // FNV-1a, 32 bits.
        bytes.iter().fold(0x811C_9DC5u32, |h, &b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        })
    }
    fn with_lazy_lock(&self, f: &mut dyn FnMut()) -> Result<(), c_int> {
        if !self.lazy_ready {
            return Err(MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);
        }
        // SAFETY: LAZY was initialised with the application's init when the
        // backend became READY, and is freed only when it is retired.
        let rc = unsafe { (self.lock)(LAZY.0.get()) };
        if rc != 0 {
            return Err(rc);
        }
        f();
        // SAFETY: as above; this thread holds LAZY.
        let rc = unsafe { (self.unlock)(LAZY.0.get()) };
        if rc != 0 { Err(rc) } else { Ok(()) }
    }
}

/// A statically defined library mutex: zero bytes, initialised by
/// `mbedtls_threading_set_alt`.
pub(crate) const STATIC_LIVE: mbedtls_threading_mutex_t = mbedtls_threading_mutex_t {
    opaque: [0; core::mem::size_of::<mbedtls_threading_mutex_t>()],
};

/// Installs the application's functions (all four must be given; otherwise
/// nothing changes), initialises the library's lazy-init mutex, and
/// initialises `globals`.
pub(crate) fn set_alt(
    init: Option<VoidFn>,
    free: Option<VoidFn>,
    lock: Option<IntFn>,
    unlock: Option<IntFn>,
    globals: &[*mut mbedtls_threading_mutex_t],
) {
    let (Some(init), Some(free), Some(lock), Some(unlock)) = (init, free, lock, unlock) else {
        return;
    };
    let was = STATE.load(Ordering::Acquire);
    F_INIT.store(init as *mut (), Ordering::Release);
    F_FREE.store(free as *mut (), Ordering::Release);
    F_LOCK.store(lock as *mut (), Ordering::Release);
    F_UNLOCK.store(unlock as *mut (), Ordering::Release);
    if was != READY {
        // SAFETY: LAZY is the library's own storage of the application's
        // type; nothing uses it until STATE says READY below.
        unsafe { init(LAZY.0.get()) };
        STATE.store(READY, Ordering::Release);
    }
    let ops = user_ops();
    for &g in globals {
        table().init(g as usize, ops.as_ref());
    }
}

/// Frees the library's global mutexes and retires the backend.
pub(crate) fn free_alt(globals: &[*mut mbedtls_threading_mutex_t]) {
    if STATE.load(Ordering::Acquire) != READY {
        return;
    }
    let ops = user_ops();
    for &g in globals {
        table().free(g as usize, ops.as_ref());
    }
    STATE.store(RETIRED, Ordering::Release);
    if let Some(ops) = ops {
        // SAFETY: LAZY was initialised when the backend became READY and
        // nobody takes it once the state is RETIRED.
        unsafe { (ops.free)(LAZY.0.get()) };
    }
}

/// Whether a backend is installed and not retired.
pub(crate) fn ready() -> bool {
    STATE.load(Ordering::Acquire) == READY
}

/// Initialises the mutex at `m` (lazily if no backend is installed yet).
///
/// # Safety
///
/// `m` must point to a valid mutex of the application's type.
pub(crate) unsafe fn init(m: NonNull<mbedtls_threading_mutex_t>) -> Lifecycle {
    match table().init(m.as_ptr() as usize, user_ops().as_ref()) {
        InitOutcome::Initialised => Lifecycle::Changed,
        InitOutcome::AlreadyLive | InitOutcome::Refused => Lifecycle::Unchanged,
    }
}

/// Frees the mutex at `m` if it is known and not locked.
///
/// # Safety
///
/// `m` must point to a valid mutex of the application's type.
pub(crate) unsafe fn free(m: NonNull<mbedtls_threading_mutex_t>) -> Lifecycle {
    match table().free(m.as_ptr() as usize, user_ops().as_ref()) {
        FreeOutcome::Freed => Lifecycle::Changed,
        FreeOutcome::NotLive | FreeOutcome::Busy => Lifecycle::Unchanged,
    }
}

/// Locks the mutex at `m`.
///
/// # Safety
///
/// `m` must point to a valid mutex of the application's type.
pub(crate) unsafe fn lock(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    table()
        .lock(
            m.as_ptr() as usize,
            user_ops().as_ref(),
            thread_id::current(),
        )
        .map_err(ThreadingError::from)
}

/// Unlocks the mutex at `m`.
///
/// # Safety
///
/// `m` must point to a valid mutex of the application's type.
pub(crate) unsafe fn unlock(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    table()
        .unlock(
            m.as_ptr() as usize,
            user_ops().as_ref(),
            thread_id::current(),
        )
        .map_err(ThreadingError::from)
}

/// The number of mutex inits refused because the side table was full.
pub(crate) fn overflows() -> u32 {
    table().overflows()
}
