//! The C surface of hmac_drbg.h.
