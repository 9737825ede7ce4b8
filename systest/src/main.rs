//! Runs the ctest-generated ABI checks (see build.rs).

#![allow(bad_style, unused_imports, clippy::all)]

use core::ffi::c_ulong;
#[cfg(feature = "threading-pthread")]
use libc::pthread_mutex_t;
use mbedcrypto::abi::platform_time::*;
use mbedcrypto::*;

include!(concat!(env!("OUT_DIR"), "/all.rs"));
