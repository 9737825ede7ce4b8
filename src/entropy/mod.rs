//! entropy.h (core).

#[cfg(not(loom))]
pub(crate) mod ffi;
