//! HMAC known answers through md.h: RFC 4231 (HMAC-SHA-224/256/384/512,
//! test cases 1-7; case 5 compares the first 128 bits, as the RFC does)
//! and RFC 2202 (HMAC-SHA-1, test cases 1-7). Each case runs through the
//! one-shot `mbedtls_md_hmac()` and through a streaming context
//! (`hmac_starts`/`update`/`finish`, the message fed in pieces), then again
//! after `mbedtls_md_hmac_reset()` on the same context, and once more after
//! re-keying a context that was used with another key.

mod common;
use common::unhex;
use mbedcrypto::*;

/// The keys and messages of RFC 4231 (`rfc4231 = true`) or RFC 2202.
fn inputs(rfc4231: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    let long_key = vec![0xaa; if rfc4231 { 131 } else { 80 }];
    let long_data: &[u8] = if rfc4231 {
        b"This is a test using a larger than block-size key and a larger than \
          block-size data. The key needs to be hashed before being used by the \
          HMAC algorithm."
    } else {
        b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
    };
    vec![
        (vec![0x0b; 20], b"Hi There".to_vec()),
        (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec()),
        (vec![0xaa; 20], vec![0xdd; 50]),
        ((1..=25).collect(), vec![0xcd; 50]),
        (vec![0x0c; 20], b"Test With Truncation".to_vec()),
        (
            long_key.clone(),
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
        ),
        (long_key, long_data.to_vec()),
    ]
}

/// The expected MACs (a prefix for the truncated case 5), hex.
fn expected(md_type: mbedtls_md_type_t) -> [&'static str; 7] {
    match md_type {
        0x05 => [
            "b617318655057264e28bc0b6fb378c8ef146be00",
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
            "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
            "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
            "aa4ae5e15272d00e95705637ce8a3b55ed402112",
            "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
        ],
        0x08 => [
            "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
            "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
            "7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea",
            "6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a",
            "0e2aea68a90c8d37c988bcdb9fca6fa8",
            "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e",
            "3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1",
        ],
        0x09 => [
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "a3b6167473100ee06e0c796c2955552b",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ],
        0x0a => [
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c\
             faea9ea9076ede7f4af152e8b2fa9cb6",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
             8e2240ca5e69e2c78b3239ecfab21649",
            "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b\
             2a5ab39dc13814b94e3ab6e101a34f27",
            "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e\
             6801dd23c4a7d679ccf8a386c674cffb",
            "3abf34c3503b2a23a46efc619baef897",
            "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6\
             0c2ef6ab4030fe8296248df163f44952",
            "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5\
             a678cc31e799176d3860e6110c46523e",
        ],
        0x0b => [
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde\
             daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
             9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39\
             bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
            "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db\
             a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
            "415fad6271580a531d4179bc891d87a6",
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352\
             6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
            "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944\
             b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
        ],
        _ => unreachable!(),
    }
}

#[test]
fn rfc_4231_and_2202() {
    for md_type in [0x05, 0x08, 0x09, 0x0a, 0x0b] {
        let info = mbedtls_md_info_from_type(md_type);
        assert!(!info.is_null());
        let size = usize::from(mbedtls_md_get_size(info));
        // SAFETY: all-bits-zero is the init state.
        let mut ctx: mbedtls_md_context_t = unsafe { std::mem::zeroed() };
        // SAFETY: a live local context and a descriptor from the library.
        unsafe {
            mbedtls_md_init(&mut ctx);
            assert_eq!(mbedtls_md_setup(&mut ctx, info, 1), 0);
            // Key the context with something else first: starts re-keys.
            assert_eq!(mbedtls_md_hmac_starts(&mut ctx, b"other".as_ptr(), 5), 0);
            assert_eq!(mbedtls_md_hmac_update(&mut ctx, b"junk".as_ptr(), 4), 0);
        }
        let mut passed = 0;
        for (n, ((key, data), want)) in inputs(md_type != 0x05)
            .into_iter()
            .zip(expected(md_type))
            .enumerate()
        {
            let want = unhex(want);
            let mut out = [0u8; 64];
            // SAFETY: live slices and a 64-byte output.
            unsafe {
                let r = mbedtls_md_hmac(
                    info,
                    key.as_ptr(),
                    key.len(),
                    data.as_ptr(),
                    data.len(),
                    out.as_mut_ptr(),
                );
                assert_eq!(r, 0);
            }
            assert_eq!(
                out[..want.len()],
                want[..],
                "type {md_type:#x} case {}: one-shot",
                n + 1
            );
            assert!(out[size..].iter().all(|&b| b == 0), "wrote past the MAC");
            // SAFETY: a set-up HMAC context, live slices, 64-byte outputs.
            unsafe {
                assert_eq!(mbedtls_md_hmac_starts(&mut ctx, key.as_ptr(), key.len()), 0);
                for round in 0..2 {
                    for piece in data.chunks(7) {
                        assert_eq!(
                            mbedtls_md_hmac_update(&mut ctx, piece.as_ptr(), piece.len()),
                            0
                        );
                    }
                    let mut out = [0u8; 64];
                    assert_eq!(mbedtls_md_hmac_finish(&mut ctx, out.as_mut_ptr()), 0);
                    assert_eq!(
                        out[..want.len()],
                        want[..],
                        "type {md_type:#x} case {}: streaming round {round}",
                        n + 1
                    );
                    // Garbage, then reset: the next round starts clean.
                    assert_eq!(mbedtls_md_hmac_update(&mut ctx, b"x".as_ptr(), 1), 0);
                    assert_eq!(mbedtls_md_hmac_reset(&mut ctx), 0);
                }
            }
            passed += 1;
        }
        // SAFETY: the context set up above.
        unsafe { mbedtls_md_free(&mut ctx) };
        println!("HMAC type {md_type:#04x}: {passed} RFC cases passed");
        assert_eq!(passed, 7);
    }
}
