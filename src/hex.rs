//! Known-answer data of the self-tests, written as hex text in the source
//! and stored as bytes in the library: [`hex!`] decodes at compile time, so
//! an image carries half the bytes and no decoder.

/// The `N` bytes that the hex digits of `s` spell (upper or lower case).
/// Used in constants, where anything but `2 * N` hex digits stops the build.
pub(crate) const fn decode<const N: usize>(s: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit"),
        }
    }
    let b = s.as_bytes();
    assert!(b.len() == 2 * N, "not two hex digits per byte");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

/// `&'static [u8]`: the bytes a hex string constant spells, decoded at
/// compile time.
macro_rules! hex {
    ($s:expr) => {{
        const S: &str = $s;
        const BYTES: [u8; S.len() / 2] = $crate::hex::decode(S);
        &BYTES
    }};
}
pub(crate) use hex;

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_both_cases() {
        assert_eq!(decode::<4>("00ff7fA0"), [0x00, 0xff, 0x7f, 0xa0]);
        assert_eq!(decode::<0>(""), [0u8; 0]);
        let b: &[u8] = hex!("0aB1");
        assert_eq!(b, &[0x0a, 0xb1]);
    }

    #[test]
    #[should_panic(expected = "not a hex digit")]
    fn refuses_other_characters() {
        let _ = decode::<1>("0g");
    }
}
