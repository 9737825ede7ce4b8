//! The C surface of sha1.h.
