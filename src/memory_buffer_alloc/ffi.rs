//! The C surface of memory_buffer_alloc.h: one global heap over the
//! caller's buffer, installed as the `mbedtls_calloc()`/`mbedtls_free()`
//! hooks.
//!
//! Every function, the statistics and `status` included, runs under the
//! heap's lock, which follows the library's context protocol
//! (`threading/ctx.rs`): `free` waits for calls in flight, and the mutex is
//! used through the `mbedtls_mutex_*` pointers, so under
//! `MBEDTLS_THREADING_ALT` it works whether `mbedtls_threading_set_alt()`
//! was called before or after `mbedtls_memory_buffer_alloc_init()`.
//! `mbedtls_memory_buffer_alloc_free()` puts back the hooks that were
//! installed before `init`.

use core::cell::UnsafeCell;
use core::ffi::{CStr, c_int, c_uchar, c_void};
#[cfg(mbedtls_threading_c)]
use core::mem::MaybeUninit;

use super::{ALIGN, Arena, HEADER, Heap, Problem};
use crate::abi::memory_buffer_alloc::MBEDTLS_MEMORY_VERIFY_ALWAYS;
#[cfg(mbedtls_threading_c)]
use crate::abi::threading::mbedtls_threading_mutex_t;
use crate::ffi::boundary;
use crate::platform::ffi::{mbedtls_platform_set_calloc_free, raw_hooks, restore_raw_hooks};
use crate::threading::ctx::CtxLock;
use core::sync::atomic::AtomicU32;

/// The caller's buffer, reached through raw pointers.
struct RawArena {
    base: *mut u8,
    len: usize,
}

impl Arena for RawArena {
    fn len(&self) -> usize {
        self.len
    }

    fn word(&self, off: usize) -> usize {
        debug_assert!(off + size_of::<usize>() <= self.len);
        // SAFETY: the core bounds-checks every offset against `len`
        // before reading (`Heap::sound`, `free_step`, and `bad_link` for
        // every link it follows), and `base..base+len` is the caller's
        // buffer, which stays valid until the heap is freed.
        unsafe { self.base.add(off).cast::<usize>().read_unaligned() }
    }

    fn set_word(&mut self, off: usize, v: usize) {
        debug_assert!(off + size_of::<usize>() <= self.len);
        // SAFETY: as in `word`; header words are never handed out.
        unsafe { self.base.add(off).cast::<usize>().write_unaligned(v) }
    }

    fn zero(&mut self, off: usize, len: usize) {
        debug_assert!(off + len <= self.len);
        // SAFETY: the range lies in the buffer (checked by the core), and
        // it is either header space or a block being handed out or taken
        // back, which no caller uses at this moment.
        unsafe { core::ptr::write_bytes(self.base.add(off), 0, len) }
    }
}

/// What the lock protects.
struct Inner {
    heap: Heap,
    arena: RawArena,
    /// The hooks in place before `init`, put back by `free`.
    saved_hooks: Option<(*mut (), *mut ())>,
}

impl Inner {
    /// No heap: not set up, no buffer, no saved hooks.
    const EMPTY: Inner = Inner {
        heap: Heap::EMPTY,
        arena: RawArena {
            base: core::ptr::null_mut(),
            len: 0,
        },
        saved_hooks: None,
    };
}

/// The one global heap.
struct Global {
    state: AtomicU32,
    holder: AtomicU32,
    #[cfg(mbedtls_threading_c)]
    mutex: UnsafeCell<MaybeUninit<mbedtls_threading_mutex_t>>,
    inner: UnsafeCell<Inner>,
}

// SAFETY: `inner` is only touched by the thread holding the heap's lock
// (or by `retire`'s wipe, when nobody else is inside); the mutex member is
// only used through `CtxLock`.
unsafe impl Sync for Global {}

static HEAP: Global = Global {
    state: AtomicU32::new(0),
    holder: AtomicU32::new(0),
    #[cfg(mbedtls_threading_c)]
    mutex: UnsafeCell::new(MaybeUninit::zeroed()),
    inner: UnsafeCell::new(Inner::EMPTY),
};

fn lock() -> CtxLock<'static> {
    #[cfg(mbedtls_threading_c)]
    // SAFETY: the static mutex lives forever and is only used through this
    // lock protocol.
    return unsafe { CtxLock::new(&HEAP.state, &HEAP.holder, HEAP.mutex.get().cast()) };
    #[cfg(not(mbedtls_threading_c))]
    CtxLock::new(&HEAP.state, &HEAP.holder)
}

/// Runs `f` on the heap under its lock; false if the heap is not set up
/// or the lock failed. A problem `f` reports is printed after unlocking.
/// (One function for every caller: the closure is called through `dyn`.)
#[inline(never)]
fn with_heap(f: &mut dyn FnMut(&mut Inner) -> Option<Problem>) -> bool {
    let lock = lock();
    let Ok(held) = lock.enter() else {
        return false;
    };
    // SAFETY: we hold the heap's lock, so nobody else touches `inner`.
    let problem = f(unsafe { &mut *HEAP.inner.get() });
    let _ = held.unlock();
    if let Some(p) = problem {
        say(p.message());
    }
    true
}

/// Takes the heap down, waiting for calls in flight, and returns the
/// hooks saved by the first `init` (if it is set up).
#[inline(never)]
fn take_down() -> Option<(*mut (), *mut ())> {
    let mut saved = None;
    lock().retire(|| {
        // SAFETY: nobody else is inside (retire's contract).
        let inner = unsafe { &mut *HEAP.inner.get() };
        saved = inner.saved_hooks;
        *inner = Inner::EMPTY;
    });
    saved
}

/// Prints `memory_buffer_alloc: `, `what` and a newline on the standard
/// error stream.
#[cfg(feature = "std")]
fn say(what: &CStr) {
    std::eprintln!("memory_buffer_alloc: {}", what.to_string_lossy());
}

/// Prints `memory_buffer_alloc: `, `what` and a newline through the C
/// library's `printf` (firmware: semihosting or the application's
/// retargeting).
#[cfg(not(feature = "std"))]
fn say(what: &CStr) {
    // (Declared here, not in the module, where cbindgen would put it into
    // the header.)
    unsafe extern "C" {
        fn printf(fmt: *const core::ffi::c_char, ...) -> c_int;
    }
    // SAFETY: a format with one "%s", and a NUL-terminated string.
    unsafe { printf(c"memory_buffer_alloc: %s\n".as_ptr(), what.as_ptr()) };
}

/// One piece of a diagnostic line. The lines are built from pieces rather
/// than `format_args!` so that firmware builds do not carry `core::fmt`
/// (about 1.2 KB of flash) for them.
#[derive(Clone, Copy)]
enum Piece<'a> {
    /// Text, as is.
    Text(&'a str),
    /// A number in decimal.
    Dec(usize),
    /// A number in hexadecimal with a `0x` prefix.
    Hex(usize),
}

/// Passes the bytes of `piece` to `push` (decimal and hexadecimal digits
/// written without `core::fmt`).
fn render(piece: Piece<'_>, push: &mut impl FnMut(&[u8])) {
    let (mut n, radix) = match piece {
        Piece::Text(t) => return push(t.as_bytes()),
        Piece::Dec(n) => (n, 10),
        Piece::Hex(n) => {
            push(b"0x");
            (n, 16)
        }
    };
    // usize::MAX has at most 20 decimal digits.
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b"0123456789abcdef"[n % radix];
        n /= radix;
        if n == 0 {
            break;
        }
    }
    push(&digits[i..]);
}

/// Prints a diagnostic on the standard error stream.
#[cfg(feature = "std")]
fn report(pieces: &[Piece<'_>]) {
    let mut line = std::vec::Vec::new();
    for p in pieces {
        render(*p, &mut |b| line.extend_from_slice(b));
    }
    std::eprint!("{}", std::string::String::from_utf8_lossy(&line));
}

/// Prints a diagnostic through the C library's `printf` (firmware:
/// semihosting or the application's retargeting).
#[cfg(not(feature = "std"))]
fn report(pieces: &[Piece<'_>]) {
    unsafe extern "C" {
        fn printf(fmt: *const core::ffi::c_char, ...) -> c_int;
    }
    let mut bytes = [0u8; 160];
    let mut len = 0;
    for p in pieces {
        render(*p, &mut |b| {
            // Room is kept for the terminating NUL; longer lines are cut.
            let n = b.len().min(bytes.len() - 1 - len);
            bytes[len..len + n].copy_from_slice(&b[..n]);
            len += n;
        });
    }
    bytes[len] = 0;
    // SAFETY: "%s" with a NUL-terminated buffer.
    unsafe { printf(c"%s".as_ptr(), bytes.as_ptr()) };
}

/// The calloc hook `init` installs.
unsafe extern "C" fn heap_calloc(n: usize, size: usize) -> *mut c_void {
    boundary(|| {
        let mut out = core::ptr::null_mut();
        with_heap(&mut |inner| {
            let r = inner.heap.calloc(&mut inner.arena, n, size);
            if let Ok(Some(off)) = r {
                // SAFETY: the core returns offsets of payloads inside the
                // buffer.
                out = unsafe { inner.arena.base.add(off) }.cast::<c_void>();
            }
            r.err()
        });
        out
    })
}

/// The free hook `init` installs.
unsafe extern "C" fn heap_free(ptr: *mut c_void) {
    boundary(|| {
        if ptr.is_null() {
            return;
        }
        let done = with_heap(&mut |inner| {
            let off = ptr.addr().wrapping_sub(inner.arena.base.addr());
            if off >= inner.arena.len {
                return Some(Problem::ForeignPointer);
            }
            inner.heap.free(&mut inner.arena, off).err()
        });
        if !done {
            // Not set up (freed), or the lock failed: leaking is the only
            // safe answer.
            say(c"mbedtls_free() while the heap is not available (ignored)");
        }
    })
}

/// Sets up the global heap over `buf` (`len` bytes) and installs it as the
/// `mbedtls_calloc()`/`mbedtls_free()` hooks. The start of `buf` is aligned
/// up to `MBEDTLS_MEMORY_ALIGN_MULTIPLE` (shrinking `len`) and the buffer
/// is zero-filled. A NULL or too small buffer gives a heap where every
/// allocation fails, as upstream. Calling `init` again resets the heap
/// (after waiting for calls in flight); the hooks saved by the first call
/// are kept for `mbedtls_memory_buffer_alloc_free()` to put back.
///
/// Under `MBEDTLS_THREADING_ALT` this may come before
/// `mbedtls_threading_set_alt()`: the heap's mutex is initialised at its
/// first use after that call (allocations before it fail).
///
/// Thread safety: caller serialises (as upstream): call it before other
/// threads allocate. Calls in flight on a previous heap are waited for.
///
/// # Safety
///
/// `buf` is NULL or valid for `len` bytes until
/// `mbedtls_memory_buffer_alloc_free()`, and used by nothing else.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_memory_buffer_alloc_init(buf: *mut c_uchar, len: usize) {
    boundary(|| {
        // A second init: take the old heap down first (waits for calls in
        // flight); keep the hooks saved from before the first init.
        let saved = take_down().unwrap_or_else(raw_hooks);
        let (base, len) = if buf.is_null() {
            (core::ptr::null_mut(), 0)
        } else {
            let pad = (ALIGN - buf.addr() % ALIGN) % ALIGN;
            if len < pad {
                (core::ptr::null_mut(), 0)
            } else {
                // SAFETY: pad <= len, so the result stays in the buffer.
                (unsafe { buf.add(pad) }, (len - pad) / ALIGN * ALIGN)
            }
        };
        {
            // SAFETY: the heap is not live (retired above), so no operation
            // can enter it, and calls of init and free are serialised by
            // the caller. Setting it up without the lock lets init run
            // before mbedtls_threading_set_alt(), when no mutex can be used.
            let inner = unsafe { &mut *HEAP.inner.get() };
            inner.arena = RawArena { base, len };
            inner.saved_hooks = Some(saved);
            inner.heap.init(&mut inner.arena);
        }
        lock().start();
        // SAFETY: both hooks follow calloc/free contracts over this heap.
        unsafe { mbedtls_platform_set_calloc_free(Some(heap_calloc), Some(heap_free)) };
    })
}

/// Takes the heap down: puts back the `mbedtls_calloc()`/`mbedtls_free()`
/// hooks that were installed before `init` (upstream leaves its own in
/// place, so that every later allocation fails), waits for calls in
/// flight, and frees the heap's mutex. The buffer is left as it is. Free
/// without init, and free twice, do nothing.
///
/// Thread safety: locked (waits for calls in flight). Memory from the heap
/// must not be in use.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_memory_buffer_alloc_free() {
    boundary(|| {
        if !lock().is_live() {
            return;
        }
        // New allocations go to the previous hooks from now on.
        let mut saved = None;
        with_heap(&mut |inner| {
            saved = inner.saved_hooks;
            None
        });
        if let Some(saved) = saved {
            restore_raw_hooks(saved);
        }
        take_down();
    })
}

/// Chooses when the heap checks its whole block chain: after every
/// allocation (`MBEDTLS_MEMORY_VERIFY_ALLOC`), every free
/// (`MBEDTLS_MEMORY_VERIFY_FREE`), both, or never. Other bits are ignored.
/// A failed check prints a message and fails the allocation (upstream
/// exits the process). No effect before `init`.
///
/// Thread safety: locked.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_memory_buffer_set_verify(verify: c_int) {
    boundary(|| {
        with_heap(&mut |inner| {
            inner.heap.verify = verify & MBEDTLS_MEMORY_VERIFY_ALWAYS;
            None
        });
    })
}

/// Checks the whole block chain: 0 if it is consistent, 1 if not (a
/// message says what is wrong) or if no heap is set up.
///
/// Thread safety: locked.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_memory_buffer_alloc_verify() -> c_int {
    boundary(|| {
        let mut rc = 1;
        with_heap(&mut |inner| {
            let r = inner.heap.verify_chain(&inner.arena);
            rc = c_int::from(r.is_err());
            r.err()
        });
        rc
    })
}

/// Prints the heap's statistics to the standard error stream and, if
/// blocks are still allocated, their addresses and sizes. Prints nothing
/// before `init`.
///
/// Thread safety: locked (upstream's is not).
#[cfg(mbedtls_memory_debug)]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_memory_buffer_alloc_status() {
    boundary(|| {
        with_heap(&mut |inner| {
            let s = inner.heap.stats;
            report(&[
                Piece::Text("Heap in use: "),
                Piece::Dec(s.header_count),
                Piece::Text(" blocks, "),
                Piece::Dec(s.total_used),
                Piece::Text(" bytes; peak: "),
                Piece::Dec(s.maximum_header_count),
                Piece::Text(" blocks, "),
                Piece::Dec(s.maximum_used),
                Piece::Text(" bytes ("),
                Piece::Dec(s.maximum_header_count * HEADER + s.maximum_used),
                Piece::Text(" with headers); allocations / frees: "),
                Piece::Dec(s.alloc_count),
                Piece::Text(" / "),
                Piece::Dec(s.free_count),
                Piece::Text("\n"),
            ]);
            let mut any = false;
            let base = inner.arena.base.addr();
            inner.heap.allocated(&inner.arena, |off, size| {
                if !any {
                    report(&[Piece::Text("Blocks still allocated:\n")]);
                    any = true;
                }
                report(&[
                    Piece::Text("  "),
                    Piece::Hex(base + off),
                    Piece::Text(": "),
                    Piece::Dec(size),
                    Piece::Text(" bytes\n"),
                ]);
            });
            if !any {
                report(&[Piece::Text("No block is allocated\n")]);
            }
            None
        });
    })
}

/// Reads the heap's statistics under its lock; zeros before `init`.
#[cfg(mbedtls_memory_debug)]
fn stats() -> super::Stats {
    let mut s = super::Stats::default();
    with_heap(&mut |inner| {
        s = inner.heap.stats;
        None
    });
    s
}

/// Stores a statistic through a pointer that may be NULL.
///
/// # Safety
///
/// `p` is NULL or valid for a write.
#[cfg(mbedtls_memory_debug)]
unsafe fn put(p: *mut usize, v: usize) {
    if !p.is_null() {
        // SAFETY: per the contract.
        unsafe { p.write(v) };
    }
}

/// The number of successful allocations and frees since `init`. NULL
/// pointers are skipped.
///
/// Thread safety: locked (upstream's is not).
///
/// # Safety
///
/// Each pointer is NULL or valid for a write.
#[cfg(mbedtls_memory_debug)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_memory_buffer_alloc_count_get(
    alloc_count: *mut usize,
    free_count: *mut usize,
) {
    boundary(|| {
        let s = stats();
        // SAFETY: per the contract.
        unsafe {
            put(alloc_count, s.alloc_count);
            put(free_count, s.free_count);
        }
    })
}

/// The peak payload bytes in use and the peak number of extra block
/// headers since `init` or the last `max_reset`. NULL pointers are skipped.
///
/// Thread safety: locked (upstream's is not).
///
/// # Safety
///
/// Each pointer is NULL or valid for a write.
#[cfg(mbedtls_memory_debug)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_memory_buffer_alloc_max_get(
    max_used: *mut usize,
    max_blocks: *mut usize,
) {
    boundary(|| {
        let s = stats();
        // SAFETY: per the contract.
        unsafe {
            put(max_used, s.maximum_used);
            put(max_blocks, s.maximum_header_count);
        }
    })
}

/// Resets the peaks that `max_get` reports to zero.
///
/// Thread safety: locked (upstream's is not).
#[cfg(mbedtls_memory_debug)]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_memory_buffer_alloc_max_reset() {
    boundary(|| {
        with_heap(&mut |inner| {
            inner.heap.stats.maximum_used = 0;
            inner.heap.stats.maximum_header_count = 0;
            None
        });
    })
}

/// The payload bytes in use and the number of extra block headers now.
/// NULL pointers are skipped.
///
/// Thread safety: locked (upstream's is not).
///
/// # Safety
///
/// Each pointer is NULL or valid for a write.
#[cfg(mbedtls_memory_debug)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_memory_buffer_alloc_cur_get(
    cur_used: *mut usize,
    cur_blocks: *mut usize,
) {
    boundary(|| {
        let s = stats();
        // SAFETY: per the contract.
        unsafe {
            put(cur_used, s.total_used);
            put(cur_blocks, s.header_count);
        }
    })
}

/// Exercises the allocator on buffers of its own: alignment, zero-fill,
/// splitting and merging, exhaustion, the statistics and the checks of bad
/// frees. Ends with `mbedtls_memory_buffer_alloc_free()`, so a heap set up
/// before is taken down (as upstream's does). Returns 0 if every check
/// passed, 1 otherwise; prints the outcome if `verbose` is non-zero.
///
/// Thread safety: caller serialises (it replaces the global heap).
#[cfg(mbedtls_self_test)]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_memory_buffer_alloc_self_test(verbose: c_int) -> c_int {
    use crate::platform::ffi::{mbedtls_calloc, mbedtls_free};
    boundary(|| {
        let mut ok = true;
        let mut buf = [0u64; 128];
        // SAFETY: the buffer outlives the heap (freed below).
        unsafe {
            mbedtls_memory_buffer_alloc_init(buf.as_mut_ptr().cast::<u8>().wrapping_add(1), 1000)
        };
        let a = mbedtls_calloc(1, 10);
        let b = mbedtls_calloc(3, 7);
        let c = mbedtls_calloc(1, 100);
        ok &= !a.is_null() && !b.is_null() && !c.is_null();
        ok &= [a, b, c].iter().all(|p| p.addr() % ALIGN == 0);
        ok &= mbedtls_calloc(0, 5).is_null() && mbedtls_calloc(1, 4096).is_null();
        ok &= mbedtls_memory_buffer_alloc_verify() == 0;
        // SAFETY: blocks from this heap; a double free and a foreign
        // pointer are refused without damage.
        unsafe {
            mbedtls_free(b);
            mbedtls_free(a);
            mbedtls_free(c);
        }
        ok &= mbedtls_memory_buffer_alloc_verify() == 0;
        // Everything merged back: the largest block fits again.
        let big = mbedtls_calloc(1, 1000 - 8 - HEADER);
        ok &= !big.is_null();
        // SAFETY: a block of this heap.
        unsafe { mbedtls_free(big) };
        mbedtls_memory_buffer_alloc_free();
        // SAFETY: a tiny buffer gives an empty heap.
        unsafe { mbedtls_memory_buffer_alloc_init(buf.as_mut_ptr().cast::<u8>(), HEADER) };
        ok &= mbedtls_calloc(1, 1).is_null();
        mbedtls_memory_buffer_alloc_free();
        if verbose != 0 {
            report(&[
                Piece::Text("  MBUF test (alloc, split, merge, exhaustion): "),
                Piece::Text(if ok { "passed\n" } else { "failed\n" }),
            ]);
        }
        c_int::from(!ok)
    })
}

#[cfg(test)]
mod tests {
    use super::{Piece, render};

    fn text(pieces: &[Piece<'_>]) -> std::string::String {
        let mut out = std::vec::Vec::new();
        for p in pieces {
            render(*p, &mut |b| out.extend_from_slice(b));
        }
        std::string::String::from_utf8(out).unwrap()
    }

    #[test]
    fn pieces_render_as_format_would() {
        assert_eq!(text(&[Piece::Dec(0)]), "0");
        assert_eq!(text(&[Piece::Hex(0)]), "0x0");
        for n in [1, 9, 10, 255, 4096, 65535, 123_456_789, usize::MAX] {
            assert_eq!(
                text(&[
                    Piece::Text("  "),
                    Piece::Hex(n),
                    Piece::Text(": "),
                    Piece::Dec(n)
                ]),
                format!("  {n:#x}: {n}")
            );
        }
    }
}
