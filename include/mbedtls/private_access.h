/*
 * private_access.h: the MBEDTLS_PRIVATE() macro that names struct members.
 *
 * Part of mbedcrypto-rs (build/templates/private_access.h.head, copied to
 * include/mbedtls/ by build.rs; do not edit the copy).
 *
 * Struct members that applications should not use are declared as
 * MBEDTLS_PRIVATE(name), which spells them private_name. Code that defines
 * MBEDTLS_ALLOW_PRIVATE_ACCESS before including any Mbed TLS header sees
 * the plain names, as with upstream Mbed TLS.
 */

#ifndef MBEDTLS_PRIVATE_ACCESS_H
#define MBEDTLS_PRIVATE_ACCESS_H

#if defined(MBEDTLS_ALLOW_PRIVATE_ACCESS)
#define MBEDTLS_PRIVATE(member) member
#else
#define MBEDTLS_PRIVATE(member) private_##member
#endif

#endif /* MBEDTLS_PRIVATE_ACCESS_H */
