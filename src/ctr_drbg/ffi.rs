//! The C surface of ctr_drbg.h.
