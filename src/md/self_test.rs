//! The known answers behind the `mbedtls_sha*_self_test()` functions: the
//! examples of FIPS 180-2 (appendices A-D) for each algorithm.

use super::MdType;
use crate::hex::hex;

/// One self-test case: `chunk` fed `repeat` times must hash to `expected`.
pub(crate) struct Case {
    /// The data fed per update call.
    pub(crate) chunk: &'static [u8],
    /// How many times it is fed.
    pub(crate) repeat: usize,
    /// The expected digest.
    pub(crate) expected: &'static [u8],
}

/// The one-block example.
const ABC: &[u8] = b"abc";
/// The two-block example for 64-byte blocks (448 bits).
const MSG_448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
/// The two-block example for 128-byte blocks (896 bits).
const MSG_896: &[u8] = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno\
ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
/// One twenty-thousandth of the one-million-'a' example (fed 20,000
/// times: a short chunk keeps the flash cost of the test small).
const A_50: &[u8; 50] = &[b'a'; 50];

const fn cases(two_block: &'static [u8], d: [&'static [u8]; 3]) -> [Case; 3] {
    [
        Case {
            chunk: ABC,
            repeat: 1,
            expected: d[0],
        },
        Case {
            chunk: two_block,
            repeat: 1,
            expected: d[1],
        },
        Case {
            chunk: A_50,
            repeat: 20_000,
            expected: d[2],
        },
    ]
}

/// The cases for an algorithm.
pub(crate) fn cases_for(ty: MdType) -> [Case; 3] {
    match ty {
        MdType::Sha1 => cases(
            MSG_448,
            [
                hex!("a9993e364706816aba3e25717850c26c9cd0d89d"),
                hex!("84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
                hex!("34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
            ],
        ),
        MdType::Sha224 => cases(
            MSG_448,
            [
                hex!("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
                hex!("75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525"),
                hex!("20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67"),
            ],
        ),
        MdType::Sha256 => cases(
            MSG_448,
            [
                hex!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
                hex!("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
                hex!("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
            ],
        ),
        MdType::Sha384 => cases(
            MSG_896,
            [
                hex!(
                    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163\
                 1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
                ),
                hex!(
                    "09330c33f71147e83d192fc782cd1b4753111b173b3b05d2\
                 2fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039"
                ),
                hex!(
                    "9d0e1809716474cb086e834e310a4a1ced149e9c00f24852\
                 7972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985"
                ),
            ],
        ),
        MdType::Sha512 => cases(
            MSG_896,
            [
                hex!(
                    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                 2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
                ),
                hex!(
                    "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018\
                 501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
                ),
                hex!(
                    "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb\
                 de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"
                ),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::md::Hasher;

    #[test]
    fn answers_have_the_digest_length_and_match_the_engine() {
        for ty in [
            MdType::Sha1,
            MdType::Sha224,
            MdType::Sha256,
            MdType::Sha384,
            MdType::Sha512,
        ] {
            for case in cases_for(ty) {
                let mut h = Hasher::new(ty);
                for _ in 0..case.repeat {
                    h.update(case.chunk);
                }
                let mut out = [0u8; 64];
                h.finish_into(&mut out);
                assert_eq!(&out[..ty.info().size], case.expected, "{ty:?}");
            }
        }
    }
}
