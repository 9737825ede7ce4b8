//! The C surface of sha256.h.
