//! What one call into the `aes` crate costs on this machine: a key
//! expansion, and one encryption call of 1 to 67 blocks. CTR_DRBG's short
//! requests are one of each (a 64-byte request: the new key's expansion
//! and one call of 7 blocks), so these figures are the floor under
//! `ctr_drbg_random_64` (docs/PERFORMANCE.md, "Randomness and hashing").
//!
//! Run: `cargo run --release --example aes_call_cost`. Not a test: it
//! prints figures and checks nothing.

use std::hint::black_box;
use std::time::Instant;

use aes::cipher::array::Array;
use aes::cipher::{BlockCipherEncrypt, KeyInit};

const ROUNDS: u32 = 2_000_000;

fn per_call(f: impl FnMut(u32)) -> f64 {
    let mut f = f;
    // Warm up, then time.
    for i in 0..ROUNDS / 10 {
        f(i);
    }
    let t = Instant::now();
    for i in 0..ROUNDS {
        f(i);
    }
    t.elapsed().as_nanos() as f64 / f64::from(ROUNDS)
}

fn main() {
    let hw = if aes::hardware_accelerated() {
        "on"
    } else {
        "off"
    };
    println!("aes crate, hardware acceleration {hw}");
    let mut key = [7u8; 32];
    let ns = per_call(|i| {
        key[0] = i as u8;
        black_box(aes::Aes256Enc::new(&Array::from(black_box(key))));
    });
    println!("Aes256Enc::new: {ns:.1} ns");

    let cipher = aes::Aes256Enc::new(&Array::from(key));
    for n in [1usize, 2, 3, 7, 8, 16, 64, 67] {
        let mut blocks = vec![[0u8; 16]; n];
        let ns = per_call(|i| {
            blocks[0][0] = i as u8;
            cipher.encrypt_blocks(Array::cast_slice_from_core_mut(black_box(&mut blocks[..])));
            black_box(&blocks);
        });
        println!(
            "encrypt_blocks of {n:>2}: {ns:6.1} ns per call, {:5.1} ns per block",
            ns / n as f64
        );
    }
}
