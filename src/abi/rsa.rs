//! rsa.h: the RSA context, its constants and error codes.

use core::ffi::{c_int, c_uint, c_void};

use super::bignum::mbedtls_mpi;
#[cfg(mbedtls_threading_c)]
use super::threading::mbedtls_threading_mutex_t;

/// Bad parameters: a wrong padding mode for this call, a key that cannot
/// be used, a NULL RNG where one is required, a bad length.
pub const MBEDTLS_ERR_RSA_BAD_INPUT_DATA: c_int = -0x4080;
/// The padding check failed on decryption or verification, or the padding
/// id is not supported.
pub const MBEDTLS_ERR_RSA_INVALID_PADDING: c_int = -0x4100;
/// Key generation failed (added to the lower-level cause).
pub const MBEDTLS_ERR_RSA_KEY_GEN_FAILED: c_int = -0x4180;
/// The key is not consistent.
pub const MBEDTLS_ERR_RSA_KEY_CHECK_FAILED: c_int = -0x4200;
/// The public-key operation failed (added to the lower-level cause).
pub const MBEDTLS_ERR_RSA_PUBLIC_FAILED: c_int = -0x4280;
/// The private-key operation failed (added to the lower-level cause), or
/// a fresh PKCS#1 v1.5 signature did not verify.
pub const MBEDTLS_ERR_RSA_PRIVATE_FAILED: c_int = -0x4300;
/// The signature does not match; also the private operation's check of
/// its own result.
pub const MBEDTLS_ERR_RSA_VERIFY_FAILED: c_int = -0x4380;
/// The decrypted message does not fit the output buffer.
pub const MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE: c_int = -0x4400;
/// The RNG failed while padding (added to the RNG's code).
pub const MBEDTLS_ERR_RSA_RNG_FAILED: c_int = -0x4480;

/// PKCS#1 v1.5 padding.
pub const MBEDTLS_RSA_PKCS_V15: c_int = 0;
/// PKCS#1 v2.1 padding: OAEP and PSS.
pub const MBEDTLS_RSA_PKCS_V21: c_int = 1;
/// PKCS#1 v1.5 block type of signatures.
pub const MBEDTLS_RSA_SIGN: c_int = 1;
/// PKCS#1 v1.5 block type of encryption.
pub const MBEDTLS_RSA_CRYPT: c_int = 2;
/// PSS salt length: the largest that fits, up to the hash length (when
/// signing); any (when verifying).
pub const MBEDTLS_RSA_SALT_LEN_ANY: c_int = -1;
/// The smallest key `mbedtls_rsa_gen_key` makes, in bits.
pub const MBEDTLS_RSA_GEN_KEY_MIN_BITS: c_uint = 1024;

/// An RSA key and its settings. The members up to `hash_id` are
/// upstream's, with upstream's meaning; `RN`, `RP`, `RQ`, `Vi` and `Vf`
/// stay empty in this library, whose precomputed values and blinding pool
/// live behind `key` and `pool` (ours).
/// cbindgen:field-names=[MBEDTLS_PRIVATE(ver), MBEDTLS_PRIVATE(len), MBEDTLS_PRIVATE(N), MBEDTLS_PRIVATE(E), MBEDTLS_PRIVATE(D), MBEDTLS_PRIVATE(P), MBEDTLS_PRIVATE(Q), MBEDTLS_PRIVATE(DP), MBEDTLS_PRIVATE(DQ), MBEDTLS_PRIVATE(QP), MBEDTLS_PRIVATE(RN), MBEDTLS_PRIVATE(RP), MBEDTLS_PRIVATE(RQ), MBEDTLS_PRIVATE(Vi), MBEDTLS_PRIVATE(Vf), MBEDTLS_PRIVATE(padding), MBEDTLS_PRIVATE(hash_id), MBEDTLS_PRIVATE(mutex), MBEDTLS_PRIVATE(guard_state), MBEDTLS_PRIVATE(guard_holder), MBEDTLS_PRIVATE(readers), MBEDTLS_PRIVATE(key), MBEDTLS_PRIVATE(pool)]
#[repr(C)]
#[allow(non_snake_case)]
pub struct mbedtls_rsa_context {
    /// 1 while the context is initialised (upstream's use under
    /// threading), 0 after free.
    pub ver: c_int,
    /// The modulus size in bytes.
    pub len: usize,
    /// The modulus.
    pub N: mbedtls_mpi,
    /// The public exponent.
    pub E: mbedtls_mpi,
    /// The private exponent.
    pub D: mbedtls_mpi,
    /// The first prime.
    pub P: mbedtls_mpi,
    /// The second prime.
    pub Q: mbedtls_mpi,
    /// D mod (P - 1).
    pub DP: mbedtls_mpi,
    /// D mod (Q - 1).
    pub DQ: mbedtls_mpi,
    /// Q^-1 mod P.
    pub QP: mbedtls_mpi,
    /// Upstream's R^2 mod N cache (unused here).
    pub RN: mbedtls_mpi,
    /// Upstream's R^2 mod P cache (unused here).
    pub RP: mbedtls_mpi,
    /// Upstream's R^2 mod Q cache (unused here).
    pub RQ: mbedtls_mpi,
    /// Upstream's blinding value (unused here).
    pub Vi: mbedtls_mpi,
    /// Upstream's unblinding value (unused here).
    pub Vf: mbedtls_mpi,
    /// `MBEDTLS_RSA_PKCS_V15` or `MBEDTLS_RSA_PKCS_V21`.
    pub padding: c_int,
    /// The hash of OAEP, PSS and MGF1 (`mbedtls_md_type_t`); NONE: the
    /// call's.
    pub hash_id: c_int,
    /// Upstream's mutex.
    #[cfg(mbedtls_threading_c)]
    pub mutex: mbedtls_threading_mutex_t,
    /// Lifecycle and users (ours).
    pub guard_state: u32,
    /// Holder of the mutex (ours).
    pub guard_holder: u32,
    /// Threads taking a reference to `key` (ours).
    pub readers: u32,
    /// The precomputed key, shared by the operations in flight (ours).
    pub key: *const c_void,
    /// Blinding values ready for use (ours).
    pub pool: *mut c_void,
}
