//! The C surface of bignum.h: all 48 functions.
//!
//! A C `mbedtls_mpi` owns limbs from `mbedtls_calloc`. Each function copies
//! its inputs into owned [`Mpi`] values (so every aliasing of outputs with
//! inputs works), computes in the safe core, and writes results back,
//! reallocating only when the result needs more limbs than the output has;
//! like upstream it never shrinks an output on its own. Freed and replaced
//! limbs are wiped. No function locks: an mpi belongs to one thread at a
//! time (upstream's rule).
//!
//! Beyond upstream: NULL arguments give `MBEDTLS_ERR_MPI_BAD_INPUT_DATA`
//! (functions without an error channel treat NULL as zero or ignore it), and
//! an mpi whose `p` is NULL with `n` > 0 is rejected the same way.

// Parameters keep upstream's names (X, A, N, ...), which the header shows.
#![allow(non_snake_case)]
// `as i64` on `mbedtls_mpi_sint` is needed where limbs are 32 bits.
#![allow(clippy::unnecessary_cast)]

use core::ffi::{c_char, c_int, c_uchar, c_uint, c_void};

use zeroize::Zeroize;

use super::prime::{self, Rng};
use super::{LIMB_BITS, LIMB_BYTES, MAX_LIMBS, Mpi, MpiError, MpiResult, check_limbs};
use crate::abi::bignum::{
    MBEDTLS_ERR_MPI_ALLOC_FAILED, MBEDTLS_ERR_MPI_BAD_INPUT_DATA, MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL,
    MBEDTLS_ERR_MPI_DIVISION_BY_ZERO, MBEDTLS_ERR_MPI_FILE_IO_ERROR,
    MBEDTLS_ERR_MPI_INVALID_CHARACTER, MBEDTLS_ERR_MPI_NEGATIVE_VALUE,
    MBEDTLS_ERR_MPI_NOT_ACCEPTABLE, mbedtls_mpi, mbedtls_mpi_sint, mbedtls_mpi_uint,
};
use crate::ffi::{boundary, try_slice, try_slice_mut};
use crate::platform::ffi::{mbedtls_calloc, mbedtls_free};

/// The C code of an error.
pub(crate) fn code(e: MpiError) -> c_int {
    match e {
        MpiError::FileIo => MBEDTLS_ERR_MPI_FILE_IO_ERROR,
        MpiError::BadInput => MBEDTLS_ERR_MPI_BAD_INPUT_DATA,
        MpiError::InvalidChar => MBEDTLS_ERR_MPI_INVALID_CHARACTER,
        MpiError::BufferTooSmall => MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL,
        MpiError::Negative => MBEDTLS_ERR_MPI_NEGATIVE_VALUE,
        MpiError::DivByZero => MBEDTLS_ERR_MPI_DIVISION_BY_ZERO,
        MpiError::NotAcceptable => MBEDTLS_ERR_MPI_NOT_ACCEPTABLE,
        MpiError::Alloc => MBEDTLS_ERR_MPI_ALLOC_FAILED,
        MpiError::Rng(c) => c,
    }
}

/// 0 or the code of the error.
fn ret(r: MpiResult<()>) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => code(e),
    }
}

/// Runs `f` over the caller's RNG as a Rust closure.
///
/// # Safety
///
/// `f_rng` and `p_rng` follow the `mbedtls_f_rng_t` contract.
pub(crate) unsafe fn with_rng<T>(
    f_rng: unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int,
    p_rng: *mut c_void,
    f: impl FnOnce(Rng<'_>) -> T,
) -> T {
    let mut rng = |buf: &mut [u8]| -> Result<(), i32> {
        // SAFETY: the callback writes at most `buf.len()` bytes to `buf`
        // (its contract); p_rng is the caller's.
        match unsafe { f_rng(p_rng, buf.as_mut_ptr(), buf.len()) } {
            0 => Ok(()),
            c => Err(c),
        }
    };
    f(&mut rng)
}

/// The limbs of a C mpi: `None` for NULL, or for `p` NULL with `n` > 0.
///
/// # Safety
///
/// `x` is NULL or points to an mpi whose `p` holds `n` limbs for `'a`.
pub(crate) unsafe fn limbs_of<'a>(x: *const mbedtls_mpi) -> Option<&'a [mbedtls_mpi_uint]> {
    if x.is_null() {
        return None;
    }
    // SAFETY: non-NULL, readable (caller).
    let (p, n) = unsafe { ((*x).p, (*x).n as usize) };
    if n == 0 {
        return Some(&[]);
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: p holds n limbs (the mpi contract).
    Some(unsafe { core::slice::from_raw_parts(p, n) })
}

/// Copies a C mpi into an owned value; `BadInput` for a bad pointer.
///
/// # Safety
///
/// As [`limbs_of`].
pub(crate) unsafe fn load(x: *const mbedtls_mpi) -> MpiResult<Mpi> {
    // SAFETY: forwarded contract.
    let limbs = unsafe { limbs_of(x) }.ok_or(MpiError::BadInput)?;
    // SAFETY: non-NULL (limbs_of checked).
    let neg = unsafe { (*x).s } < 0;
    Ok(Mpi::from_words(limbs, neg))
}

/// Makes `x` hold exactly `n` limbs, keeping the low limbs of its value.
/// Replaced limbs are wiped before they are freed.
///
/// # Safety
///
/// `x` is a valid, writable mpi.
unsafe fn realloc_exact(x: *mut mbedtls_mpi, n: usize) -> MpiResult<()> {
    check_limbs(n)?;
    // SAFETY: valid mpi (caller).
    let old_n = unsafe { (*x).n } as usize;
    if old_n == n {
        return Ok(());
    }
    let p = if n == 0 {
        core::ptr::null_mut()
    } else {
        let p = mbedtls_calloc(n, LIMB_BYTES).cast::<mbedtls_mpi_uint>();
        if p.is_null() {
            return Err(MpiError::Alloc);
        }
        p
    };
    // SAFETY: valid mpi (caller).
    let old = unsafe { (*x).p };
    if !old.is_null() && old_n > 0 {
        // SAFETY: old holds old_n limbs; p holds n zeroed limbs; distinct
        // allocations.
        unsafe {
            core::ptr::copy_nonoverlapping(old, p, old_n.min(n));
            core::slice::from_raw_parts_mut(old, old_n).zeroize();
            mbedtls_free(old.cast());
        }
    }
    // SAFETY: valid mpi (caller).
    unsafe {
        (*x).p = p;
        (*x).n = n as u16;
    }
    Ok(())
}

/// `mbedtls_mpi_grow`'s core: at least `n` limbs.
///
/// # Safety
///
/// `x` is a valid, writable mpi.
unsafe fn grow_to(x: *mut mbedtls_mpi, n: usize) -> MpiResult<()> {
    check_limbs(n)?;
    // SAFETY: valid mpi.
    if (unsafe { (*x).n } as usize) < n {
        // SAFETY: as above.
        unsafe { realloc_exact(x, n) }?;
    }
    Ok(())
}

/// Writes `v` into `x`, growing `x` to `v`'s significant limbs (at least
/// one) and zeroing the limbs above them.
///
/// # Safety
///
/// `x` is a valid, writable mpi.
pub(crate) unsafe fn store(x: *mut mbedtls_mpi, v: &Mpi) -> MpiResult<()> {
    // SAFETY: forwarded.
    unsafe { store_min(x, v, 1) }
}

/// [`store`] with at least `min` limbs.
///
/// # Safety
///
/// `x` is a valid, writable mpi.
unsafe fn store_min(x: *mut mbedtls_mpi, v: &Mpi, min: usize) -> MpiResult<()> {
    let need = v.sig_limbs().max(min);
    // SAFETY: valid mpi.
    unsafe { grow_to(x, need) }?;
    // SAFETY: as above; after grow_to, p holds n >= need limbs.
    unsafe { write_limbs(x, v) };
    Ok(())
}

/// Writes `v` into `x` with exactly `n` limbs (as upstream's
/// `resize_clear` does).
///
/// # Safety
///
/// `x` is a valid, writable mpi, and `v` fits in `n` limbs.
unsafe fn store_exact(x: *mut mbedtls_mpi, v: &Mpi, n: usize) -> MpiResult<()> {
    // SAFETY: valid mpi.
    unsafe { realloc_exact(x, n) }?;
    // SAFETY: as above.
    unsafe { write_limbs(x, v) };
    Ok(())
}

/// Copies `v`'s limbs (and sign) into the limbs `x` already has, zeroing
/// the rest.
///
/// # Safety
///
/// `x` is a valid, writable mpi with at least `v.sig_limbs()` limbs.
unsafe fn write_limbs(x: *mut mbedtls_mpi, v: &Mpi) {
    // SAFETY: valid mpi (caller).
    let (p, n) = unsafe { ((*x).p, (*x).n as usize) };
    if n > 0 {
        // SAFETY: p holds n limbs.
        let dst = unsafe { core::slice::from_raw_parts_mut(p, n) };
        let src = v.words();
        for (i, d) in dst.iter_mut().enumerate() {
            *d = src.get(i).copied().unwrap_or(0);
        }
    }
    // SAFETY: valid mpi.
    unsafe { (*x).s = if v.is_neg() { -1 } else { 1 } };
}

/// Checks pointers, loads the inputs and stores a result: the shape of
/// most two-operand functions.
macro_rules! binary_op {
    ($x:expr, $a:expr, $b:expr, $op:expr) => {
        boundary(|| {
            if $x.is_null() {
                return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
            }
            // SAFETY: pointers checked for NULL; valid mpis (caller).
            let r = unsafe { load($a) }.and_then(|a| {
                // SAFETY: as above.
                let b = unsafe { load($b) }?;
                let v = $op(&a, &b)?;
                // SAFETY: as above.
                unsafe { store($x, &v) }
            });
            ret(r)
        })
    };
}

/// Makes `X` the empty value zero: no limbs, positive. NULL is ignored.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or points to writable memory for an mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_init(X: *mut mbedtls_mpi) {
    boundary(|| {
        if X.is_null() {
            return;
        }
        // SAFETY: writable (caller).
        unsafe {
            X.write(mbedtls_mpi {
                p: core::ptr::null_mut(),
                s: 1,
                n: 0,
            })
        };
    })
}

/// Wipes and releases the limbs and resets `X` to the state of
/// `mbedtls_mpi_init`. NULL is ignored; freeing twice is harmless, and so
/// is freeing a zero-filled mpi.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_free(X: *mut mbedtls_mpi) {
    boundary(|| {
        if X.is_null() {
            return;
        }
        // SAFETY: valid mpi (caller).
        unsafe {
            let (p, n) = ((*X).p, (*X).n as usize);
            if !p.is_null() {
                core::slice::from_raw_parts_mut(p, n).zeroize();
                mbedtls_free(p.cast());
            }
            X.write(mbedtls_mpi {
                p: core::ptr::null_mut(),
                s: 1,
                n: 0,
            });
        }
    })
}

/// Makes `X` hold at least `nblimbs` limbs, keeping its value.
/// `MBEDTLS_ERR_MPI_ALLOC_FAILED` beyond `MBEDTLS_MPI_MAX_LIMBS` or when
/// allocation fails.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_grow(X: *mut mbedtls_mpi, nblimbs: usize) -> c_int {
    boundary(|| {
        // SAFETY: validated by limbs_of; valid mpi (caller).
        if unsafe { limbs_of(X) }.is_none() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        // SAFETY: as above.
        ret(unsafe { grow_to(X, nblimbs) })
    })
}

/// Reallocates `X` to max(its significant limbs, `nblimbs`) limbs (at
/// least one), growing it if it is smaller. `MBEDTLS_ERR_MPI_ALLOC_FAILED`
/// beyond `MBEDTLS_MPI_MAX_LIMBS` or when allocation fails.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_shrink(X: *mut mbedtls_mpi, nblimbs: usize) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpi (caller).
        let Some(limbs) = (unsafe { limbs_of(X) }) else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        if nblimbs > MAX_LIMBS {
            return MBEDTLS_ERR_MPI_ALLOC_FAILED;
        }
        if limbs.len() <= nblimbs {
            // SAFETY: valid mpi.
            return ret(unsafe { grow_to(X, nblimbs) });
        }
        let keep = super::sig_limbs(limbs).max(1).max(nblimbs);
        // SAFETY: valid mpi; the value fits in `keep` limbs.
        ret(unsafe { realloc_exact(X, keep) })
    })
}

/// X = Y, growing X as needed (a self-copy does nothing). Like upstream, an
/// `X` with more limbs keeps them, zeroed above the value.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `Y` are NULL or valid mpis.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_copy(X: *mut mbedtls_mpi, Y: *const mbedtls_mpi) -> c_int {
    boundary(|| {
        if X.is_null() || Y.is_null() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        if core::ptr::eq(X, Y) {
            return 0;
        }
        // SAFETY: valid mpis (caller).
        let r = unsafe { load(Y) }.and_then(|y| {
            // SAFETY: as above.
            if unsafe { (*Y).n } == 0 {
                // An empty Y: X becomes zero, keeping its limbs.
                // SAFETY: X is a valid mpi (caller).
                return unsafe {
                    write_limbs(X, &y);
                    Ok(())
                };
            }
            // SAFETY: as above.
            unsafe { store(X, &y) }
        });
        ret(r)
    })
}

/// Exchanges the contents of `X` and `Y`. NULL is ignored.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `Y` are NULL or valid mpis.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_swap(X: *mut mbedtls_mpi, Y: *mut mbedtls_mpi) {
    boundary(|| {
        if X.is_null() || Y.is_null() || core::ptr::eq(X, Y) {
            return;
        }
        // SAFETY: two distinct valid mpis (caller).
        unsafe { core::ptr::swap(X, Y) };
    })
}

/// A limb mask: all ones for a nonzero `c`, zero otherwise, without a
/// branch on `c`.
fn mask_of(c: c_uchar) -> mbedtls_mpi_uint {
    let nz = ((c as mbedtls_mpi_uint) | (c as mbedtls_mpi_uint).wrapping_neg()) >> (LIMB_BITS - 1);
    nz.wrapping_neg()
}

/// X = Y when `assign` is nonzero, unchanged when it is 0, with the same
/// memory accesses either way. X grows to Y's limb count first.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `Y` are NULL or valid mpis.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_safe_cond_assign(
    X: *mut mbedtls_mpi,
    Y: *const mbedtls_mpi,
    assign: c_uchar,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpis (caller).
        if unsafe { limbs_of(X) }.is_none() || unsafe { limbs_of(Y) }.is_none() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        if core::ptr::eq(X, Y) {
            return 0;
        }
        // SAFETY: as above.
        let yn = unsafe { (*Y).n } as usize;
        // SAFETY: as above.
        if let Err(e) = unsafe { grow_to(X, yn) } {
            return code(e);
        }
        let mask = mask_of(assign);
        // SAFETY: distinct valid mpis; X has at least yn limbs now.
        unsafe {
            let ys = (*Y).s as i32;
            let xs = (*X).s as i32;
            let m = mask as i32;
            (*X).s = ((ys & m) | (xs & !m)) as i16;
            let xl = core::slice::from_raw_parts_mut((*X).p, (*X).n as usize);
            let yl = limbs_of(Y).unwrap_or(&[]);
            for (i, x) in xl.iter_mut().enumerate() {
                let y = yl.get(i).copied().unwrap_or(0);
                *x = (y & mask) | (*x & !mask);
            }
        }
        0
    })
}

/// Swaps `X` and `Y` when `swap` is nonzero, with the same memory accesses
/// either way. Both grow to the larger limb count first.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `Y` are NULL or valid mpis.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_safe_cond_swap(
    X: *mut mbedtls_mpi,
    Y: *mut mbedtls_mpi,
    swap: c_uchar,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpis (caller).
        if unsafe { limbs_of(X) }.is_none() || unsafe { limbs_of(Y) }.is_none() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        if core::ptr::eq(X, Y) {
            return 0;
        }
        // SAFETY: as above.
        let n = unsafe { (*X).n.max((*Y).n) } as usize;
        // SAFETY: as above.
        if let Err(e) = unsafe { grow_to(X, n).and_then(|()| grow_to(Y, n)) } {
            return code(e);
        }
        let mask = mask_of(swap);
        // SAFETY: distinct valid mpis with n limbs each now.
        unsafe {
            let m = mask as i32;
            let (xs, ys) = ((*X).s as i32, (*Y).s as i32);
            let t = (xs ^ ys) & m;
            (*X).s = (xs ^ t) as i16;
            (*Y).s = (ys ^ t) as i16;
            let xl = core::slice::from_raw_parts_mut((*X).p, n);
            let yl = core::slice::from_raw_parts_mut((*Y).p, n);
            for (x, y) in xl.iter_mut().zip(yl.iter_mut()) {
                let t = (*x ^ *y) & mask;
                *x ^= t;
                *y ^= t;
            }
        }
        0
    })
}

/// X = z. Keeps X's limbs (at least one), zeroed above the value.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_lset(X: *mut mbedtls_mpi, z: mbedtls_mpi_sint) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpi (caller).
        if unsafe { limbs_of(X) }.is_none() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        // SAFETY: as above.
        ret(unsafe { store(X, &Mpi::from_i64(z as i64)) })
    })
}

/// Bit `pos` of |X|: 0 or 1 (0 beyond the limbs);
/// `MBEDTLS_ERR_MPI_BAD_INPUT_DATA` for NULL.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_get_bit(X: *const mbedtls_mpi, pos: usize) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpi (caller).
        let Some(l) = (unsafe { limbs_of(X) }) else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        l.get(pos / LIMB_BITS)
            .map_or(0, |w| ((w >> (pos % LIMB_BITS)) & 1) as c_int)
    })
}

/// Sets bit `pos` of |X| to `val` (0 or 1, else
/// `MBEDTLS_ERR_MPI_BAD_INPUT_DATA`), growing X to set a bit beyond it.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_set_bit(
    X: *mut mbedtls_mpi,
    pos: usize,
    val: c_uchar,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpi (caller).
        if unsafe { limbs_of(X) }.is_none() || val > 1 {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        let off = pos / LIMB_BITS;
        // SAFETY: as above.
        if unsafe { (*X).n } as usize <= off {
            if val == 0 {
                return 0;
            }
            // SAFETY: as above.
            if let Err(e) = unsafe { grow_to(X, off + 1) } {
                return code(e);
            }
        }
        // SAFETY: X has more than `off` limbs now.
        unsafe {
            let w = &mut *(*X).p.add(off);
            let bit = (1 as mbedtls_mpi_uint) << (pos % LIMB_BITS);
            *w = (*w & !bit) | ((val as mbedtls_mpi_uint) << (pos % LIMB_BITS));
            // A value that became zero is positive.
            if super::sig_limbs(limbs_of(X).unwrap_or(&[])) == 0 {
                (*X).s = 1;
            }
        }
        0
    })
}

/// The index of the lowest set bit of X (0 for zero or NULL).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_lsb(X: *const mbedtls_mpi) -> usize {
    boundary(|| {
        // SAFETY: validated; valid mpi (caller).
        let l = unsafe { limbs_of(X) }.unwrap_or(&[]);
        Mpi::from_words(l, false).lsb()
    })
}

/// The bit length of |X| (0 for zero or NULL).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_bitlen(X: *const mbedtls_mpi) -> usize {
    boundary(|| {
        // SAFETY: validated; valid mpi (caller).
        let l = unsafe { limbs_of(X) }.unwrap_or(&[]);
        Mpi::from_words(l, false).bitlen()
    })
}

/// The byte length of |X|: (bitlen + 7) / 8 (0 for zero or NULL).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_size(X: *const mbedtls_mpi) -> usize {
    // SAFETY: forwarded contract.
    unsafe { mbedtls_mpi_bitlen(X) }.div_ceil(8)
}

/// Parses `s`: an optional `-` and digits of `radix` (2..=16; hex in
/// either case). An empty string gives zero and `"-0"` gives +0.
/// `MBEDTLS_ERR_MPI_BAD_INPUT_DATA` for a bad radix or NULL,
/// `MBEDTLS_ERR_MPI_INVALID_CHARACTER` for a bad digit (X unchanged).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi; `s` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_read_string(
    X: *mut mbedtls_mpi,
    radix: c_int,
    s: *const c_char,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid string (caller).
        let Some(text) = (unsafe { crate::ffi::try_cstr(s) }) else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        // SAFETY: validated; valid mpi (caller).
        if unsafe { limbs_of(X) }.is_none() || !(2..=16).contains(&radix) {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        if text.is_empty() {
            // SAFETY: valid mpi.
            unsafe { mbedtls_mpi_free(X) };
            return 0;
        }
        let r = Mpi::from_str_radix(text, radix as u32)
            // SAFETY: valid mpi.
            .and_then(|v| unsafe { store(X, &v) });
        ret(r)
    })
}

/// The text of X in `radix` for `buf`, or `BUFFER_TOO_SMALL` with the
/// size needed, by upstream's generous estimate.
fn write_string_core(
    x: &Mpi,
    limbs: usize,
    radix: c_int,
    buf: &mut [u8],
) -> Result<usize, (MpiError, usize)> {
    if !(2..=16).contains(&radix) {
        return Err((MpiError::BadInput, 0));
    }
    let mut n = x.bitlen();
    if radix >= 4 {
        n >>= 1;
    }
    if radix >= 16 {
        n >>= 1;
    }
    // Room for the NUL, the rounding above and a sign, made even.
    n += 3;
    n += n & 1;
    if buf.len() < n {
        return Err((MpiError::BufferTooSmall, n));
    }
    let text = x.to_str_radix(radix as u32, limbs).map_err(|e| (e, 0))?;
    buf[..text.len()].copy_from_slice(&text);
    buf[text.len()] = 0;
    Ok(text.len() + 1)
}

/// Writes X in `radix` (2..=16) as a NUL-terminated string: upper case,
/// whole bytes in hex, a leading `-` when negative. `*olen` gets the
/// length with the NUL, or, with `MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL`, the
/// size to provide.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi; `buf` is NULL or has `buflen` writable
/// bytes; `olen` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_write_string(
    X: *const mbedtls_mpi,
    radix: c_int,
    buf: *mut c_char,
    buflen: usize,
    olen: *mut usize,
) -> c_int {
    boundary(|| {
        if olen.is_null() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        // SAFETY: validated; caller's buffer.
        let Some(out) = (unsafe { try_slice_mut(buf.cast(), buflen) }) else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        // SAFETY: valid mpi (caller).
        let (x, limbs) = match unsafe { load(X) } {
            // SAFETY: non-NULL (load succeeded).
            Ok(x) => (x, unsafe { (*X).n } as usize),
            Err(e) => return code(e),
        };
        match write_string_core(&x, limbs, radix, out) {
            Ok(n) => {
                // SAFETY: writable (checked non-NULL).
                unsafe { *olen = n };
                0
            }
            Err((e, need)) => {
                if e == MpiError::BufferTooSmall {
                    // SAFETY: as above.
                    unsafe { *olen = need };
                }
                code(e)
            }
        }
    })
}

#[cfg(mbedtls_fs_io)]
const RW_BUFFER_SIZE: usize = crate::abi::bignum::MBEDTLS_MPI_RW_BUFFER_SIZE as usize;

/// Reads one line of `fin` and parses the number at its end in `radix`:
/// the text before the trailing run of digits (a label such as `"N = "`)
/// is skipped, as upstream does (a `-` is part of the label, so the value
/// is non-negative). `MBEDTLS_ERR_MPI_FILE_IO_ERROR` at end of file,
/// `MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL` for a line that fills the buffer.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi; `fin` is NULL or an open `FILE *`.
#[cfg(mbedtls_fs_io)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_read_file(
    X: *mut mbedtls_mpi,
    radix: c_int,
    fin: *mut libc::FILE,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpi (caller).
        if unsafe { limbs_of(X) }.is_none() || fin.is_null() || !(2..=16).contains(&radix) {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        let mut line = alloc::vec![0u8; RW_BUFFER_SIZE];
        // SAFETY: fgets writes at most size-1 bytes and a NUL into `line`;
        // fin is an open stream (caller).
        let got =
            unsafe { libc::fgets(line.as_mut_ptr().cast(), (RW_BUFFER_SIZE - 1) as c_int, fin) };
        if got.is_null() {
            return code(MpiError::FileIo);
        }
        let mut len = line.iter().position(|&b| b == 0).unwrap_or(line.len());
        if len == RW_BUFFER_SIZE - 2 {
            return MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL;
        }
        if len > 0 && line[len - 1] == b'\n' {
            len -= 1;
        }
        if len > 0 && line[len - 1] == b'\r' {
            len -= 1;
        }
        let text = &line[..len];
        let start = text
            .iter()
            .rposition(|&c| super::digit_value(c, radix as u32).is_err())
            .map_or(0, |i| i + 1);
        let digits = &text[start..];
        if digits.is_empty() {
            // SAFETY: valid mpi.
            unsafe { mbedtls_mpi_free(X) };
            return 0;
        }
        let r = Mpi::from_str_radix(digits, radix as u32)
            // SAFETY: valid mpi.
            .and_then(|v| unsafe { store(X, &v) });
        line.zeroize();
        ret(r)
    })
}

/// Writes the prefix `p` (NULL: none), X in `radix` and `"\r\n"` to
/// `fout`, or to standard output when `fout` is NULL.
/// `MBEDTLS_ERR_MPI_FILE_IO_ERROR` on a short write.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `p` is NULL or a NUL-terminated string; `X` is NULL or a valid mpi;
/// `fout` is NULL or an open `FILE *`.
#[cfg(mbedtls_fs_io)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_write_file(
    p: *const c_char,
    X: *const mbedtls_mpi,
    radix: c_int,
    fout: *mut libc::FILE,
) -> c_int {
    boundary(|| {
        // SAFETY: valid mpi (caller).
        let (x, limbs) = match unsafe { load(X) } {
            // SAFETY: non-NULL (load succeeded).
            Ok(x) => (x, unsafe { (*X).n } as usize),
            Err(e) => return code(e),
        };
        let mut s = alloc::vec![0u8; RW_BUFFER_SIZE];
        let len = match write_string_core(&x, limbs, radix, &mut s[..RW_BUFFER_SIZE - 2]) {
            Ok(n) => n - 1,
            Err((e, _)) => return code(e),
        };
        s[len] = b'\r';
        s[len + 1] = b'\n';
        let text = &s[..len + 2];
        // SAFETY: NULL or a NUL-terminated string (caller).
        let prefix = unsafe { crate::ffi::try_cstr(p) }.unwrap_or(b"");
        // SAFETY: `fout` (or stdout) is an open stream; the buffers are
        // valid for the lengths given.
        unsafe {
            if fout.is_null() {
                let mut line = alloc::vec::Vec::with_capacity(prefix.len() + text.len() + 1);
                line.extend_from_slice(prefix);
                line.extend_from_slice(text);
                line.push(0);
                libc::printf(c"%s".as_ptr(), line.as_ptr());
                return 0;
            }
            if libc::fwrite(prefix.as_ptr().cast(), 1, prefix.len(), fout) != prefix.len()
                || libc::fwrite(text.as_ptr().cast(), 1, text.len(), fout) != text.len()
            {
                return code(MpiError::FileIo);
            }
        }
        0
    })
}

/// Loads an unsigned big-endian integer; X gets exactly
/// ceil(buflen / limb size) limbs.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi; `buf` is NULL or has `buflen` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_read_binary(
    X: *mut mbedtls_mpi,
    buf: *const c_uchar,
    buflen: usize,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { read_bytes(X, buf, buflen, Mpi::from_be_bytes) }
}

/// Loads an unsigned little-endian integer, as
/// `mbedtls_mpi_read_binary`.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// As `mbedtls_mpi_read_binary`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_read_binary_le(
    X: *mut mbedtls_mpi,
    buf: *const c_uchar,
    buflen: usize,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { read_bytes(X, buf, buflen, Mpi::from_le_bytes) }
}

/// The body of the two binary readers.
///
/// # Safety
///
/// As `mbedtls_mpi_read_binary`.
unsafe fn read_bytes(
    X: *mut mbedtls_mpi,
    buf: *const c_uchar,
    buflen: usize,
    parse: fn(&[u8]) -> Mpi,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; caller's buffer and mpi.
        let Some(bytes) = (unsafe { try_slice(buf, buflen) }) else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        // SAFETY: as above.
        if unsafe { limbs_of(X) }.is_none() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        let n = buflen.div_ceil(LIMB_BYTES);
        if n > MAX_LIMBS {
            return MBEDTLS_ERR_MPI_ALLOC_FAILED;
        }
        let v = parse(bytes);
        // SAFETY: valid mpi; v fits in n limbs.
        ret(unsafe { store_exact(X, &v, n) })
    })
}

/// Writes |X| big-endian into exactly `buflen` bytes, zero-padded on the
/// left. `MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL` if it does not fit.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi; `buf` is NULL or has `buflen` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_write_binary(
    X: *const mbedtls_mpi,
    buf: *mut c_uchar,
    buflen: usize,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { write_bytes(X, buf, buflen, Mpi::write_be) }
}

/// Writes |X| little-endian into exactly `buflen` bytes, zero-padded on
/// the right. `MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL` if it does not fit.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// As `mbedtls_mpi_write_binary`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_write_binary_le(
    X: *const mbedtls_mpi,
    buf: *mut c_uchar,
    buflen: usize,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { write_bytes(X, buf, buflen, Mpi::write_le) }
}

/// The body of the two binary writers.
///
/// # Safety
///
/// As `mbedtls_mpi_write_binary`.
unsafe fn write_bytes(
    X: *const mbedtls_mpi,
    buf: *mut c_uchar,
    buflen: usize,
    write: fn(&Mpi, &mut [u8]) -> MpiResult<()>,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; caller's buffer and mpi.
        let Some(out) = (unsafe { try_slice_mut(buf, buflen) }) else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        // SAFETY: as above.
        let r = unsafe { load(X) }.and_then(|x| write(&x, out));
        ret(r)
    })
}

/// X <<= count, growing X as needed.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_shift_l(X: *mut mbedtls_mpi, count: usize) -> c_int {
    boundary(|| {
        // SAFETY: valid mpi (caller).
        let r = unsafe { load(X) }
            .and_then(|x| Mpi::shl(&x, count))
            // SAFETY: as above.
            .and_then(|v| unsafe { store(X, &v) });
        ret(r)
    })
}

/// X >>= count (of |X|; a result of zero is positive).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_shift_r(X: *mut mbedtls_mpi, count: usize) -> c_int {
    boundary(|| {
        // SAFETY: valid mpi (caller).
        let r = unsafe { load(X) }
            .map(|x| Mpi::shr(&x, count))
            // SAFETY: as above.
            .and_then(|v| unsafe { store_min(X, &v, 0) });
        ret(r)
    })
}

/// Converts an ordering to upstream's 1 / -1 / 0.
fn ord(o: core::cmp::Ordering) -> c_int {
    o as c_int
}

/// Compares |X| and |Y|: 1, -1 or 0 (NULL counts as zero).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `Y` are NULL or valid mpis.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_cmp_abs(
    X: *const mbedtls_mpi,
    Y: *const mbedtls_mpi,
) -> c_int {
    boundary(|| {
        // SAFETY: valid mpis (caller).
        let (x, y) = unsafe {
            (
                load(X).unwrap_or(Mpi::zero()),
                load(Y).unwrap_or(Mpi::zero()),
            )
        };
        ord(x.cmp_abs(&y))
    })
}

/// Compares X and Y: 1, -1 or 0 (NULL counts as zero).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `Y` are NULL or valid mpis.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_cmp_mpi(
    X: *const mbedtls_mpi,
    Y: *const mbedtls_mpi,
) -> c_int {
    boundary(|| {
        // SAFETY: valid mpis (caller).
        let (x, y) = unsafe {
            (
                load(X).unwrap_or(Mpi::zero()),
                load(Y).unwrap_or(Mpi::zero()),
            )
        };
        ord(x.cmp_signed(&y))
    })
}

/// `*ret` = (X < Y), in constant time: the two must have the same limb
/// count (else `MBEDTLS_ERR_MPI_BAD_INPUT_DATA`).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `Y` are NULL or valid mpis; `ret` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_lt_mpi_ct(
    X: *const mbedtls_mpi,
    Y: *const mbedtls_mpi,
    ret: *mut c_uint,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpis (caller).
        let (Some(x), Some(y)) = (unsafe { limbs_of(X) }, unsafe { limbs_of(Y) }) else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        if ret.is_null() || x.len() != y.len() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL mpis.
        let (xs, ys) = unsafe { ((*X).s < 0, (*Y).s < 0) };
        // |X| < |Y| and |Y| < |X| from the borrows of the two subtractions,
        // over every limb.
        let borrow = |a: &[mbedtls_mpi_uint], b: &[mbedtls_mpi_uint]| -> u32 {
            let mut br: mbedtls_mpi_uint = 0;
            for (p, q) in a.iter().zip(b) {
                let (d1, b1) = p.overflowing_sub(*q);
                let (_, b2) = d1.overflowing_sub(br);
                br = (b1 | b2) as mbedtls_mpi_uint;
            }
            br as u32
        };
        let x_lt_y = borrow(x, y);
        let y_lt_x = borrow(y, x);
        let (xn, yn) = (xs as u32, ys as u32);
        // Different signs: X < Y iff X is the negative one. Same sign:
        // compare magnitudes, reversed for negatives.
        let diff = xn ^ yn;
        let same = (x_lt_y & (1 ^ xn)) | (y_lt_x & xn);
        let r = (diff & xn) | ((1 ^ diff) & same);
        // SAFETY: writable (checked).
        unsafe { *ret = r };
        0
    })
}

/// Compares X with the small value z: 1, -1 or 0 (NULL counts as zero).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_cmp_int(X: *const mbedtls_mpi, z: mbedtls_mpi_sint) -> c_int {
    boundary(|| {
        // SAFETY: valid mpi (caller).
        let x = unsafe { load(X) }.unwrap_or(Mpi::zero());
        ord(x.cmp_signed(&Mpi::from_i64(z as i64)))
    })
}

/// X = |A| + |B|.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All three are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_add_abs(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    B: *const mbedtls_mpi,
) -> c_int {
    binary_op!(X, A, B, Mpi::add_abs)
}

/// X = |A| - |B|; `MBEDTLS_ERR_MPI_NEGATIVE_VALUE` if |B| > |A|.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All three are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_sub_abs(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    B: *const mbedtls_mpi,
) -> c_int {
    binary_op!(X, A, B, Mpi::sub_abs)
}

/// X = A + B.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All three are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_add_mpi(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    B: *const mbedtls_mpi,
) -> c_int {
    binary_op!(X, A, B, Mpi::add)
}

/// X = A - B.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All three are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_sub_mpi(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    B: *const mbedtls_mpi,
) -> c_int {
    binary_op!(X, A, B, Mpi::sub)
}

/// X = A * B.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All three are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_mul_mpi(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    B: *const mbedtls_mpi,
) -> c_int {
    binary_op!(X, A, B, Mpi::mul)
}

/// Applies `op` to A and a small value: the shape of the `_int` functions.
///
/// # Safety
///
/// `X` and `A` are NULL or valid mpis.
unsafe fn int_op(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    b: Mpi,
    op: fn(&Mpi, &Mpi) -> MpiResult<Mpi>,
) -> c_int {
    boundary(|| {
        if X.is_null() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        // SAFETY: valid mpis (caller).
        let r = unsafe { load(A) }
            .and_then(|a| op(&a, &b))
            // SAFETY: as above.
            .and_then(|v| unsafe { store(X, &v) });
        ret(r)
    })
}

/// X = A + b.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `A` are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_add_int(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    b: mbedtls_mpi_sint,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { int_op(X, A, Mpi::from_i64(b as i64), Mpi::add) }
}

/// X = A - b.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `A` are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_sub_int(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    b: mbedtls_mpi_sint,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { int_op(X, A, Mpi::from_i64(b as i64), Mpi::sub) }
}

/// X = A * b for an unsigned limb b.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `A` are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_mul_int(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    b: mbedtls_mpi_uint,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { int_op(X, A, Mpi::from_words(&[b], false), Mpi::mul) }
}

/// Truncated division: A = Q * B + R, Q rounded toward zero, R with A's
/// sign. Q and R may be NULL. `MBEDTLS_ERR_MPI_DIVISION_BY_ZERO` for B = 0.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All four are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_div_mpi(
    Q: *mut mbedtls_mpi,
    R: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    B: *const mbedtls_mpi,
) -> c_int {
    boundary(|| {
        // SAFETY: valid mpis (caller).
        let r = unsafe { load(A) }.and_then(|a| {
            // SAFETY: valid (caller); non-NULL once loaded.
            let b = unsafe { load(B) }?;
            let (q, r) = Mpi::div_rem(&a, &b)?;
            // SAFETY: valid mpis or NULL (skipped).
            unsafe {
                if !Q.is_null() {
                    store(Q, &q)?;
                }
                if !R.is_null() {
                    store(R, &r)?;
                }
            }
            Ok(())
        });
        ret(r)
    })
}

/// `mbedtls_mpi_div_mpi` with a small divisor.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// As `mbedtls_mpi_div_mpi`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_div_int(
    Q: *mut mbedtls_mpi,
    R: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    b: mbedtls_mpi_sint,
) -> c_int {
    let mut limb = [(b as i64).unsigned_abs() as mbedtls_mpi_uint];
    let B = mbedtls_mpi {
        p: limb.as_mut_ptr(),
        s: if b < 0 { -1 } else { 1 },
        n: 1,
    };
    // SAFETY: B is a valid one-limb mpi on this stack frame.
    unsafe { mbedtls_mpi_div_mpi(Q, R, A, &B) }
}

/// R = A mod B in [0, B). `MBEDTLS_ERR_MPI_DIVISION_BY_ZERO` for B = 0,
/// `MBEDTLS_ERR_MPI_NEGATIVE_VALUE` for B < 0.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All three are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_mod_mpi(
    R: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    B: *const mbedtls_mpi,
) -> c_int {
    binary_op!(R, A, B, Mpi::modulo)
}

/// `*r` = A mod b in [0, b). `MBEDTLS_ERR_MPI_DIVISION_BY_ZERO` for b = 0,
/// `MBEDTLS_ERR_MPI_NEGATIVE_VALUE` for b < 0.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `r` is NULL or writable; `A` is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_mod_int(
    r: *mut mbedtls_mpi_uint,
    A: *const mbedtls_mpi,
    b: mbedtls_mpi_sint,
) -> c_int {
    boundary(|| {
        if r.is_null() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        // SAFETY: valid mpi (caller).
        match unsafe { load(A) }.and_then(|a| Mpi::mod_word(&a, b as i64)) {
            Ok(v) => {
                // SAFETY: writable (checked).
                unsafe { *r = v };
                0
            }
            Err(e) => code(e),
        }
    })
}

/// X = A^E mod N, constant-time in E for E's limb count. N must be odd and
/// positive and E non-negative, both at most `MBEDTLS_MPI_MAX_BITS` long
/// (else `MBEDTLS_ERR_MPI_BAD_INPUT_DATA`). When `prec_RR` is not NULL and
/// empty, it receives R^2 mod N for N's limb count (upstream's cache); a
/// filled one is accepted and not needed.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All are NULL (prec_RR only) or valid mpis (X may alias the inputs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_exp_mod(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    E: *const mbedtls_mpi,
    N: *const mbedtls_mpi,
    prec_RR: *mut mbedtls_mpi,
) -> c_int {
    boundary(|| {
        if X.is_null() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        // SAFETY: valid mpis (caller).
        let r = unsafe { load(A) }.and_then(|a| {
            // SAFETY: valid (caller); non-NULL once loaded.
            let e = unsafe { load(E) }?;
            // SAFETY: valid (caller); non-NULL once loaded.
            let n = unsafe { load(N) }?;
            let x = Mpi::exp_mod(&a, &e, &n)?;
            // SAFETY: valid mpis or NULL.
            unsafe {
                if !prec_RR.is_null() && (*prec_RR).p.is_null() {
                    let limbs = (*N).n as usize;
                    let rr = Mpi::mont_rr(&n, limbs)?;
                    store_min(prec_RR, &rr, limbs)?;
                }
                store(X, &x)
            }
        });
        ret(r)
    })
}

/// Fills X with `size` random bytes read big-endian; X gets exactly
/// ceil(size / limb size) limbs. The RNG's error code is returned as is.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi; `f_rng`/`p_rng` follow the RNG contract.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_fill_random(
    X: *mut mbedtls_mpi,
    size: usize,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpi (caller).
        if unsafe { limbs_of(X) }.is_none() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        let Some(f) = f_rng else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        let n = size.div_ceil(LIMB_BYTES);
        if n > MAX_LIMBS {
            return MBEDTLS_ERR_MPI_ALLOC_FAILED;
        }
        // SAFETY: the RNG contract (caller).
        let r = unsafe { with_rng(f, p_rng, |rng| prime::fill_random(size, rng)) }
            // SAFETY: valid mpi; the value fits in n limbs.
            .and_then(|v| unsafe { store_exact(X, &v, n) });
        ret(r)
    })
}

/// A uniform random X in [min, N - 1] by rejection sampling.
/// `MBEDTLS_ERR_MPI_BAD_INPUT_DATA` if min < 0 or N <= min,
/// `MBEDTLS_ERR_MPI_NOT_ACCEPTABLE` if sampling gives up; RNG errors are
/// returned as is. X gets N's limb count.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` and `N` are NULL or valid mpis; `f_rng`/`p_rng` follow the RNG
/// contract.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_random(
    X: *mut mbedtls_mpi,
    min: mbedtls_mpi_sint,
    N: *const mbedtls_mpi,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpis (caller).
        if unsafe { limbs_of(X) }.is_none() || min < 0 {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        let Some(f) = f_rng else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        // SAFETY: valid mpi (caller).
        let r = unsafe { load(N) }.and_then(|n| {
            // SAFETY: valid (caller); non-NULL once loaded.
            let limbs = unsafe { (*N).n } as usize;
            // SAFETY: the RNG contract (caller).
            let v = unsafe { with_rng(f, p_rng, |rng| prime::random_range(min as u64, &n, rng)) }?;
            // SAFETY: valid mpi; v < N fits in N's limbs.
            unsafe { store_exact(X, &v, limbs.max(1)) }
        });
        ret(r)
    })
}

/// G = gcd(|A|, |B|).
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All three are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_gcd(
    G: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    B: *const mbedtls_mpi,
) -> c_int {
    binary_op!(G, A, B, Mpi::gcd)
}

/// X = A^-1 mod N in [1, N - 1] (A may be negative).
/// `MBEDTLS_ERR_MPI_BAD_INPUT_DATA` if N <= 1,
/// `MBEDTLS_ERR_MPI_NOT_ACCEPTABLE` if A has no inverse.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// All three are NULL or valid mpis (they may be the same).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_inv_mod(
    X: *mut mbedtls_mpi,
    A: *const mbedtls_mpi,
    N: *const mbedtls_mpi,
) -> c_int {
    binary_op!(X, A, N, Mpi::inv_mod)
}

/// Trial division, then `rounds` Miller-Rabin rounds with random bases:
/// 0 for a probable prime, `MBEDTLS_ERR_MPI_NOT_ACCEPTABLE` for a
/// composite (and for 0 and 1). The sign of X is ignored.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi; `f_rng`/`p_rng` follow the RNG contract.
#[cfg(mbedtls_genprime)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_is_prime_ext(
    X: *const mbedtls_mpi,
    rounds: c_int,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
) -> c_int {
    boundary(|| {
        let Some(f) = f_rng else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        if rounds < 0 {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        // SAFETY: valid mpi (caller).
        let r = unsafe { load(X) }.and_then(|x| {
            // SAFETY: valid (caller); non-NULL once loaded.
            let limbs = unsafe { (*X).n } as usize;
            // SAFETY: the RNG contract (caller).
            unsafe {
                with_rng(f, p_rng, |rng| {
                    prime::is_prime(&x, limbs, rounds as usize, rng)
                })
            }
        });
        ret(r)
    })
}

/// A random probable prime of exactly `nbits` bits (3..=
/// `MBEDTLS_MPI_MAX_BITS`, else `MBEDTLS_ERR_MPI_BAD_INPUT_DATA`), at
/// least sqrt(2) * 2^(nbits-1). `MBEDTLS_MPI_GEN_PRIME_FLAG_DH` asks for
/// (X-1)/2 prime too; `MBEDTLS_MPI_GEN_PRIME_FLAG_LOW_ERR` for more
/// Miller-Rabin rounds. RNG errors are returned as is.
///
/// Thread safety: caller serialises (an mpi belongs to one thread at a time; concurrent reads of the same mpi are fine).
///
/// # Safety
///
/// `X` is NULL or a valid mpi; `f_rng`/`p_rng` follow the RNG contract.
#[cfg(mbedtls_genprime)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_mpi_gen_prime(
    X: *mut mbedtls_mpi,
    nbits: usize,
    flags: c_int,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
) -> c_int {
    boundary(|| {
        // SAFETY: validated; valid mpi (caller).
        if unsafe { limbs_of(X) }.is_none() {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        }
        let Some(f) = f_rng else {
            return MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
        };
        // SAFETY: the RNG contract (caller).
        let r = unsafe { with_rng(f, p_rng, |rng| prime::gen_prime(nbits, flags, rng)) }
            // SAFETY: valid mpi; the prime fits in its limb count.
            .and_then(|(p, n)| unsafe { store_exact(X, &p, n) });
        ret(r)
    })
}

/// Runs the bignum known-answer tests: 0 if they pass, 1 otherwise,
/// printing one line per test when `verbose` is nonzero.
///
/// Thread safety: pure.
#[cfg(mbedtls_self_test)]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_mpi_self_test(verbose: c_int) -> c_int {
    boundary(|| {
        let results = self_test::run();
        let mut failed = 0;
        for (i, (name, ok)) in results.iter().enumerate() {
            crate::md::ffi::self_test_line(verbose, name, i + 1, *ok);
            if !ok {
                failed = 1;
            }
        }
        crate::md::ffi::self_test_end(verbose);
        failed
    })
}

#[cfg(mbedtls_self_test)]
mod self_test {
    //! Known answers computed independently (Python integers) for one
    //! 1024-bit A, one 512-bit odd N and one 512-bit E.

    use core::ffi::CStr;

    use super::super::Mpi;

    const A: &[u8] = b"F02891C9B0ECD31FE4FF5CD52E6064425F3D5012F8A8802F97CF927FE49BA9ED1376FC15A0AA01205F27112A0563B46BE15DD35F55DC1EF1A484F1748D2AB5402D0705275F3F9A0C34262E598F6D470DD57B64F787280717FD9CA09719A06BA02C21A4B6C51A19903440B0841534F73A5A486531020173E07D81D544BB08D0DC";
    const N: &[u8] = b"A9AAF9B1C8F1B0E4449C96C4E47BE0224BFA882290ACC7A900A1C69E323B0EF96625029AF578D8ED8D43C942802AFAB277A35C3A021BE31F96F6EBF160890D93";
    const E: &[u8] = b"3005169796F26ACB935E320B435354C1FC13609AF52B1617D9604D41EED966B00463893EFC6AE0E51405DC3A332B333CB5755B6F92B043D30B8670CC7FC5FB8E";
    const PRODUCT: &[u8] = b"9F2B2D6D34183C36C84566B10BC3DE8C5E49323F25A57F93E3891F5A8AA40A4619A8E5CFB37CC214546A2DA44A4EC1970A8896AA1E711C61F11428DBF16093255BC18C9AE951C0F50794124C003A396A57BD2EEEB2A8B9968FEC61790ACCC4C1C688B660CDA7942B73104637D4F193AD33D328649C71B9734A42E138593FD573B405778D0335DE3FC2F7CE2689AB91A5EB879A95CF99BD3156E3B5854EBE62D424939ED0ACED5C2D4FA2F838B8E608574E5D00522E06EB9F57BBED1D1E671A54";
    const QUOTIENT: &[u8] = b"16A5BBC7EB3A3E4A9639AD31BB8FA3C6EFF20BF76AFD5156D4C5CE301B37C8F8020A8F691C1602796F91DD6F0F8E0C1A471E0F015A3A890DC899A91D3E86F0BF4";
    const REMAINDER: &[u8] = b"342B1520F653E59DE67F50E47051D454A4CBBA8EF63109F52960F6DD98466CD3C06CA92F87E0295BEBC30ABCFF41FE8559C0AF29BD406EBAE9CC112BBA158FC0";
    const POWER: &[u8] = b"95F5F0815CD1EE2F13F96D15218F72F25E0D56A7EFAAFDCB5F0AE311A3CBB4B47D7F99BDB9C234F2A1395EFF86F65CACFFADC662E7891EB4EA076CB6A30E40B0";
    const INVERSE: &[u8] = b"75A2A7C21CB36233E4D34888270E25CDD42D8EDD6C123813FAC018AB4DFB03E2ED35CACEDB39B4F32DC8D27C35BDB424253D2A5273FAA1BB95529DA3E829267C";

    fn hex(s: &[u8]) -> Option<Mpi> {
        Mpi::from_str_radix(s, 16).ok()
    }

    fn equals(v: Option<Mpi>, expected: &[u8]) -> bool {
        match (v, hex(expected)) {
            (Some(v), Some(e)) => v.cmp_signed(&e).is_eq(),
            _ => false,
        }
    }

    /// The tests' names and verdicts.
    pub(super) fn run() -> [(&'static CStr, bool); 6] {
        let (Some(a), Some(n), Some(e)) = (hex(A), hex(N), hex(E)) else {
            return [(c"MPI parse", false); 6];
        };
        let div = Mpi::div_rem(&a, &n).ok();
        let gcd_ok = [
            (693i64, 609i64, 21i64),
            (1764, 868, 28),
            (768454923, 542167814, 1),
        ]
        .iter()
        .all(|&(x, y, g)| {
            Mpi::gcd(&Mpi::from_i64(x), &Mpi::from_i64(y))
                .is_ok_and(|r| r.cmp_signed(&Mpi::from_i64(g)).is_eq())
        });
        [
            (c"MPI (mul_mpi)", equals(Mpi::mul(&a, &n).ok(), PRODUCT)),
            (
                c"MPI (div_mpi)",
                equals(div.as_ref().map(|d| d.0.clone()), QUOTIENT),
            ),
            (
                c"MPI (mod_mpi)",
                equals(div.map(|d| d.1.clone()), REMAINDER),
            ),
            (
                c"MPI (exp_mod)",
                equals(Mpi::exp_mod(&a, &e, &n).ok(), POWER),
            ),
            (c"MPI (inv_mod)", equals(Mpi::inv_mod(&a, &n).ok(), INVERSE)),
            (c"MPI (gcd)", gcd_ok),
        ]
    }

    #[cfg(test)]
    #[test]
    fn passes() {
        for (name, ok) in run() {
            assert!(ok, "{name:?}");
        }
    }
}
