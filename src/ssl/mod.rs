//! ssl.h, the part the session stores need: sessions and upstream's
//! serialized form of them.

#[cfg(not(loom))]
pub(crate) mod ffi;
pub(crate) mod session;
