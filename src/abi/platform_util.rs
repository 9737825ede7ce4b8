//! platform_util.h. Its only type, the `mbedtls_f_rng_t` function type, is
//! a C function type (not a pointer type), which cbindgen cannot express; it
//! is spelled out in `build/templates/platform_util.h.head`.
