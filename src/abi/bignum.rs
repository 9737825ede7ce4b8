//! bignum.h: the multi-precision integer, its limb types, limits and error
//! codes.
//!
//! The limb typedefs (`mbedtls_mpi_uint`, `mbedtls_mpi_sint`) and the
//! `MBEDTLS_HAVE_INT32`/`MBEDTLS_HAVE_INT64` choice are written in the
//! header template, because C picks them per target; the Rust aliases below
//! follow the same rule (64-bit limbs on 64-bit targets).

use core::ffi::{c_int, c_short, c_ushort};

/// One limb: 64 bits on 64-bit targets, 32 bits otherwise.
#[cfg(target_pointer_width = "64")]
pub type mbedtls_mpi_uint = u64;
/// One limb: 64 bits on 64-bit targets, 32 bits otherwise.
#[cfg(not(target_pointer_width = "64"))]
pub type mbedtls_mpi_uint = u32;
/// The signed type of a limb's width.
#[cfg(target_pointer_width = "64")]
pub type mbedtls_mpi_sint = i64;
/// The signed type of a limb's width.
#[cfg(not(target_pointer_width = "64"))]
pub type mbedtls_mpi_sint = i32;

/// Reading or writing a file failed.
pub const MBEDTLS_ERR_MPI_FILE_IO_ERROR: c_int = -0x0002;
/// A bad argument: NULL, a radix outside 2..=16, an out-of-range size.
pub const MBEDTLS_ERR_MPI_BAD_INPUT_DATA: c_int = -0x0004;
/// A character that is not a digit of the radix.
pub const MBEDTLS_ERR_MPI_INVALID_CHARACTER: c_int = -0x0006;
/// The output buffer is too small.
pub const MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL: c_int = -0x0008;
/// A result or an argument would be negative where that is not allowed.
pub const MBEDTLS_ERR_MPI_NEGATIVE_VALUE: c_int = -0x000A;
/// Division by zero.
pub const MBEDTLS_ERR_MPI_DIVISION_BY_ZERO: c_int = -0x000C;
/// The value does not have the required property (not prime, no inverse,
/// rejection sampling gave up).
pub const MBEDTLS_ERR_MPI_NOT_ACCEPTABLE: c_int = -0x000E;
/// Allocation failed, or a value would exceed `MBEDTLS_MPI_MAX_LIMBS`.
pub const MBEDTLS_ERR_MPI_ALLOC_FAILED: c_int = -0x0010;

/// The most limbs one integer may have.
pub const MBEDTLS_MPI_MAX_LIMBS: c_int = 10000;
/// Window size of the modular exponentiation (accepted for compatibility;
/// the exponentiation of this library chooses its own).
pub const MBEDTLS_MPI_WINDOW_SIZE: c_int = 3;
/// The largest integer, in bytes, that the library's users are expected to
/// handle (key sizes, buffer sizes).
pub const MBEDTLS_MPI_MAX_SIZE: c_int = 1024;
/// [`MBEDTLS_MPI_MAX_SIZE`] in bits.
pub const MBEDTLS_MPI_MAX_BITS: c_int = 8 * MBEDTLS_MPI_MAX_SIZE;
/// [`MBEDTLS_MPI_MAX_BITS`] times 100.
pub const MBEDTLS_MPI_MAX_BITS_SCALE100: c_int = 100 * MBEDTLS_MPI_MAX_BITS;
/// 100 * ln(2) / ln(10), rounded up.
pub const MBEDTLS_LN_2_DIV_LN_10_SCALE100: c_int = 332;
/// Size of the line buffer of `mbedtls_mpi_read_file` and
/// `mbedtls_mpi_write_file`: enough for the longest number in any radix,
/// a sign and a label.
pub const MBEDTLS_MPI_RW_BUFFER_SIZE: c_int =
    ((MBEDTLS_MPI_MAX_BITS_SCALE100 + MBEDTLS_LN_2_DIV_LN_10_SCALE100 - 1)
        / MBEDTLS_LN_2_DIV_LN_10_SCALE100)
        + 10
        + 6;

/// A signed integer of any size. The limbs are allocated with
/// `mbedtls_calloc`, least significant first; `p` may be NULL when `n` is 0.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(p), MBEDTLS_PRIVATE(s), MBEDTLS_PRIVATE(n)]
#[repr(C)]
pub struct mbedtls_mpi {
    /// The limbs.
    pub p: *mut mbedtls_mpi_uint,
    /// The sign: 1 or -1 (zero is always 1).
    pub s: c_short,
    /// The number of limbs allocated at `p`.
    pub n: c_ushort,
}

/// Flags of `mbedtls_mpi_gen_prime`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mbedtls_mpi_gen_prime_flag_t {
    /// (X - 1) / 2 must be prime too (a safe prime, for Diffie-Hellman).
    MBEDTLS_MPI_GEN_PRIME_FLAG_DH = 0x0001,
    /// More Miller-Rabin rounds: error probability 2^-128 instead of 2^-80.
    MBEDTLS_MPI_GEN_PRIME_FLAG_LOW_ERR = 0x0002,
}
