//! A ticket written through the C API has upstream's layout: with a key
//! installed by `mbedtls_ssl_ticket_rotate`, an independent AES-256-GCM
//! (the `aes-gcm` crate used directly) opens it with the key name, IV and
//! length as additional data, and the plaintext is the session's
//! serialization.

#![cfg(not(miri))]

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use mbedcrypto::*;

unsafe extern "C" fn rng(_: *mut core::ffi::c_void, out: *mut u8, len: usize) -> core::ffi::c_int {
    for i in 0..len {
        // SAFETY: the library asks for `len` writable bytes.
        unsafe { *out.add(i) = (i as u8).wrapping_mul(13) };
    }
    0
}

#[test]
fn ticket_layout_is_upstreams() {
    mbedcrypto::install_test_backend();
    // A TLS 1.2 server session made now (upstream's serialized form).
    let mut blob = vec![3u8, 6, 6, 0x00, 0xff, 0x03, 0x01, 0xc0, 0x2f];
    blob.extend_from_slice(&[0; 8]);
    blob.push(32);
    blob.extend_from_slice(&[0x5a; 80]);
    blob.extend_from_slice(&[0; 7]);
    blob.extend_from_slice(&(mbedtls_ms_time() as u64).to_be_bytes());
    blob.extend_from_slice(&[0, 1]);
    let key = [0x42u8; 32];
    let mut out = [0u8; 512];
    let (mut tlen, mut life) = (0usize, 0u32);
    // SAFETY: each struct is initialised before use and freed at the end;
    // all buffers are live locals of the stated lengths.
    unsafe {
        let mut session = core::mem::zeroed::<mbedtls_ssl_session>();
        mbedtls_ssl_session_init(&mut session);
        assert_eq!(
            mbedtls_ssl_session_load(&mut session, blob.as_ptr(), blob.len()),
            0
        );
        let mut ctx = core::mem::zeroed::<mbedtls_ssl_ticket_context>();
        mbedtls_ssl_ticket_init(&mut ctx);
        assert_eq!(
            mbedtls_ssl_ticket_setup(&mut ctx, Some(rng), core::ptr::null_mut(), 16, 300),
            0
        );
        assert_eq!(
            mbedtls_ssl_ticket_rotate(&mut ctx, b"KEYZ".as_ptr(), 4, key.as_ptr(), 32, 600),
            0
        );
        let start = out.as_mut_ptr();
        assert_eq!(
            mbedtls_ssl_ticket_write(
                (&raw mut ctx).cast(),
                &session,
                start,
                start.add(out.len()),
                &mut tlen,
                &mut life
            ),
            0
        );
        mbedtls_ssl_ticket_free(&mut ctx);
        mbedtls_ssl_session_free(&mut session);
    }
    let ticket = &out[..tlen];
    assert_eq!(&ticket[..4], b"KEYZ");
    assert_eq!(life, 600);
    let len = usize::from(u16::from_be_bytes([ticket[16], ticket[17]]));
    assert_eq!(tlen, 4 + 12 + 2 + len + 16);
    let cipher = Aes256Gcm::new_from_slice(&key).unwrap();
    let nonce = Nonce::try_from(&ticket[4..16]).unwrap();
    let mut clear = ticket[18..18 + len].to_vec();
    let tag = aes_gcm::Tag::try_from(&ticket[18 + len..]).unwrap();
    cipher
        .decrypt_inout_detached(&nonce, &ticket[..18], clear.as_mut_slice().into(), &tag)
        .expect("the ticket opens with the rotated key");
    assert_eq!(clear, blob);
    println!(
        "ticket format: {} bytes, opened independently with AES-256-GCM",
        tlen
    );
}
