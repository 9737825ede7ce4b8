//! Hosted entropy plumbing: the platform source's logic (getrandom, with a
//! device file as fallback) and the default NV seed file.

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;

/// The file behind the default NV seed hooks (upstream's
/// `MBEDTLS_PLATFORM_STD_NV_SEED_FILE`).
#[cfg_attr(not(mbedtls_entropy_nv_seed), allow(dead_code))]
pub(crate) const NV_SEED_FILE: &str = "seedfile";

/// Reads exactly `out.len()` bytes from the file at `path`.
pub(crate) fn read_exact_from(path: &[u8], out: &mut [u8]) -> bool {
    let path = std::ffi::OsStr::from_bytes(path);
    match File::open(path) {
        Ok(mut f) => f.read_exact(out).is_ok(),
        Err(_) => false,
    }
}

/// Replaces the file at `path` with `data`.
#[cfg_attr(not(mbedtls_entropy_nv_seed), allow(dead_code))]
pub(crate) fn write_file(path: &[u8], data: &[u8]) -> bool {
    let path = std::ffi::OsStr::from_bytes(path);
    match File::create(path) {
        Ok(mut f) => f.write_all(data).is_ok() && f.flush().is_ok(),
        Err(_) => false,
    }
}

/// Reads at most `buf.len()` bytes from the start of the file at `path`;
/// the count read, or `None` if the file cannot be opened or read.
#[cfg(mbedtls_fs_io)]
pub(crate) fn read_prefix(path: &[u8], buf: &mut [u8]) -> Option<usize> {
    let path = std::ffi::OsStr::from_bytes(path);
    let f = File::open(path).ok()?;
    let mut n = 0;
    let mut f = f.take(buf.len() as u64);
    loop {
        match f.read(&mut buf[n..]) {
            Ok(0) => return Some(n),
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// The result of one getrandom(2) call: the count, or the `errno`.
pub(crate) type GetrandomResult = Result<usize, i32>;

/// The platform source: `getrandom` (retried when interrupted); if the
/// kernel lacks it (ENOSYS), exactly `out.len()` bytes from the device
/// file `dev`. The count delivered, or `None` on failure.
pub(crate) fn platform_poll(
    mut getrandom: impl FnMut(&mut [u8]) -> GetrandomResult,
    dev: Option<&[u8]>,
    out: &mut [u8],
) -> Option<usize> {
    loop {
        match getrandom(out) {
            Ok(n) => return Some(n.min(out.len())),
            Err(libc::EINTR) => continue,
            Err(libc::ENOSYS) => break,
            Err(_) => return None,
        }
    }
    let dev = dev?;
    read_exact_from(dev, out).then_some(out.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("mbedcrypto-entropy-{}-{name}", std::process::id()))
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn getrandom_results_and_fallback() {
        let mut out = [0u8; 16];
        assert_eq!(platform_poll(|b| Ok(b.len()), None, &mut out), Some(16));
        assert_eq!(platform_poll(|_| Ok(3), None, &mut out), Some(3));
        let mut calls = 0;
        let r = platform_poll(
            |b| {
                calls += 1;
                if calls < 3 {
                    Err(libc::EINTR)
                } else {
                    Ok(b.len())
                }
            },
            None,
            &mut out,
        );
        assert_eq!((r, calls), (Some(16), 3), "EINTR is retried");
        assert_eq!(platform_poll(|_| Err(libc::EIO), None, &mut out), None);
        // ENOSYS: the device file.
        let dev = temp_path("dev");
        std::fs::write(&dev, [0x5au8; 20]).unwrap();
        let dev_b = dev.as_os_str().as_bytes();
        out.fill(0);
        assert_eq!(
            platform_poll(|_| Err(libc::ENOSYS), Some(dev_b), &mut out),
            Some(16)
        );
        assert_eq!(out, [0x5a; 16]);
        let mut big = [0u8; 32];
        assert_eq!(
            platform_poll(|_| Err(libc::ENOSYS), Some(dev_b), &mut big),
            None,
            "a short read fails"
        );
        assert_eq!(
            platform_poll(|_| Err(libc::ENOSYS), Some(b"/nonexistent/dev"), &mut out),
            None
        );
        assert_eq!(platform_poll(|_| Err(libc::ENOSYS), None, &mut out), None);
        std::fs::remove_file(&dev).unwrap();
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn file_helpers() {
        let p = temp_path("file");
        let pb = p.as_os_str().as_bytes();
        assert!(write_file(pb, b"abcdef"));
        let mut four = [0u8; 4];
        assert!(read_exact_from(pb, &mut four));
        assert_eq!(&four, b"abcd");
        let mut eight = [0u8; 8];
        assert!(!read_exact_from(pb, &mut eight));
        #[cfg(mbedtls_fs_io)]
        {
            assert_eq!(read_prefix(pb, &mut eight), Some(6));
            assert_eq!(read_prefix(pb, &mut four), Some(4));
            assert_eq!(read_prefix(b"/nonexistent/x", &mut four), None);
        }
        assert!(!write_file(b"/nonexistent/dir/x", b"1"));
        std::fs::remove_file(&p).unwrap();
    }
}
