//! The C surface of md.h.
