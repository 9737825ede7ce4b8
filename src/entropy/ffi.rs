//! The C surface of entropy.h.
