//! The C surface of sha512.h.
