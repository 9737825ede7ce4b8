//! entropy.h: types and constants (filled in by the module that implements it).
