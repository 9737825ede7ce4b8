//! Parking for the built-in mutex and the run-once flag: parking_lot's
//! global parking lot in hosted builds, spinning in firmware builds.

/// How a thread waits for a word to change and wakes the waiters. The
/// callbacks run under the parker's internal lock, so `validate` and the
/// unparker's `callback` are atomic with respect to each other.
#[cfg_attr(not(any(mbedtls_threading_builtin, loom)), allow(dead_code))]
pub(crate) trait Parker {
    /// Per-wait spinning state.
    type Spin: Default;

    /// Spins a little before parking; returns false when the caller should
    /// park instead of spinning again.
    fn spin(&self, spin: &mut Self::Spin) -> bool;

    /// Parks the calling thread on `key` if `validate()` returns true, until
    /// an unpark call wakes it. May return spuriously.
    fn park(&self, key: usize, validate: impl FnOnce() -> bool);

    /// Wakes one thread parked on `key`. `callback(have_more)` runs before
    /// the thread is woken, with `have_more` telling whether other threads
    /// remain parked on `key`.
    fn unpark_one(&self, key: usize, callback: impl FnOnce(bool));

    /// Wakes every thread parked on `key`.
    fn unpark_all(&self, key: usize);
}

/// Parks threads in parking_lot's global, address-keyed parking lot.
#[cfg(feature = "std")]
pub(crate) struct ParkingLot;

#[cfg(feature = "std")]
impl Parker for ParkingLot {
    type Spin = parking_lot_core::SpinWait;

    #[inline]
    fn spin(&self, spin: &mut Self::Spin) -> bool {
        spin.spin()
    }

    fn park(&self, key: usize, validate: impl FnOnce() -> bool) {
        // SAFETY: `key` is the address of a lock or once word that the
        // library manages, so no other primitive parks on it. The callbacks
        // neither panic nor call back into parking_lot_core.
        unsafe {
            parking_lot_core::park(
                key,
                validate,
                || {},
                |_, _| {},
                parking_lot_core::DEFAULT_PARK_TOKEN,
                None,
            );
        }
    }

    fn unpark_one(&self, key: usize, callback: impl FnOnce(bool)) {
        // SAFETY: as in `park`; the callback only stores to an atomic.
        unsafe {
            parking_lot_core::unpark_one(key, |result| {
                callback(result.have_more_threads);
                parking_lot_core::DEFAULT_UNPARK_TOKEN
            });
        }
    }

    fn unpark_all(&self, key: usize) {
        // SAFETY: as in `park`.
        unsafe {
            parking_lot_core::unpark_all(key, parking_lot_core::DEFAULT_UNPARK_TOKEN);
        }
    }
}

/// Busy-waits. Used where there is no scheduler to park with (firmware
/// builds); the waits it serves are short (another task finishing a
/// run-once function).
#[cfg(not(feature = "std"))]
pub(crate) struct Spin;

#[cfg(not(feature = "std"))]
impl Parker for Spin {
    type Spin = ();

    fn spin(&self, _: &mut ()) -> bool {
        core::hint::spin_loop();
        true
    }

    fn park(&self, _key: usize, _validate: impl FnOnce() -> bool) {
        core::hint::spin_loop();
    }

    fn unpark_one(&self, _key: usize, callback: impl FnOnce(bool)) {
        callback(false);
    }

    fn unpark_all(&self, _key: usize) {}
}

/// The parker of this build.
#[cfg(feature = "std")]
pub(crate) const PARKER: ParkingLot = ParkingLot;
/// The parker of this build.
#[cfg(not(feature = "std"))]
pub(crate) const PARKER: Spin = Spin;

/// A parker for single-threaded unit tests of the state machines: it never
/// needs to wait, and fails the test if it would.
#[cfg(all(test, not(loom)))]
pub(crate) struct NoWait;

#[cfg(all(test, not(loom)))]
impl Parker for NoWait {
    type Spin = ();
    fn spin(&self, _: &mut ()) -> bool {
        false
    }
    fn park(&self, _: usize, validate: impl FnOnce() -> bool) {
        assert!(!validate(), "a single-threaded test would wait forever");
    }
    fn unpark_one(&self, _: usize, callback: impl FnOnce(bool)) {
        callback(false);
    }
    fn unpark_all(&self, _: usize) {}
}
