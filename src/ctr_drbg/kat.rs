// Known-answer cases of the self-test: NIST CAVP CTR_DRBG vectors (CAVS
// 14.3, "use df", COUNT = 0 of the first block with a personalisation
// string and additional input). `entropy` is what the entropy callback
// serves, in the order the DRBG asks for it: EntropyInput, Nonce, then
// EntropyInputReseed (PR off) or both EntropyInputPR values (PR on).

/// The cases for AES-256.
#[cfg(not(mbedtls_ctr_drbg_use_128_bit_key))]
pub(super) const CASES: &[Case] = &[
    Case {
        name: "PR = TRUE",
        pr: true,
        entropy_len: 32,
        nonce_len: 16,
        entropy: hex!(concat!(
            "534346a3e0baa65d7a51871b6d633a6f1efa9ff55dfde3212c95029adf2387d9",
            "0cbe99821509975d824fd826c47d2abc",
            "286091709d2e91bfef6654b8449d5e5564b6c2fe1f3e4e6e59fe776461bfb0dc",
            "e68e127b2e5b9d6539c26f7e78bec13314e37febdb7105d1d65f0bde23c87d38",
        )),
        pers: hex!("020d7340569e68d992e6e8ddfbead9f993c74d971e4339fe91074f87e9d7d777"),
        add_reseed: hex!(""),
        add1: hex!("f41040eff2a7010287c2a76d7867a66e61299be1e1247a6b22a64b829ada8624"),
        add2: hex!("94efe68e2185646a17bb8a83268142a7b7a02786c1ee90ab8f7399ccf543de26"),
        result: hex!(concat!(
            "da6389d151e3b2b332fbcc02b2cc5af4f69835e9fbbe19130f91cbf30a3c2458",
            "0ebfb4311b3487e9d6a61de9dc2842c107152158b0e75a932c38e5b8ddff10e6",
        )),
    },
    Case {
        name: "PR = FALSE",
        pr: false,
        entropy_len: 32,
        nonce_len: 16,
        entropy: hex!(concat!(
            "174b46250051a9e3d80c56ae7163dafe7e54481a56cafd3b8625f99bbb29c442",
            "98ffd99c466e0e94a45da7e0e82dbc6b",
            "e88be1967c5503f65d23867bbc891bd679db03b4878663f6c877592df25f0d9a",
        )),
        pers: hex!("7095268e99938b3e042734b9176c9aa051f00a5f8d2a89ada214b89beef18ebf"),
        add_reseed: hex!("cdf6ad549e45b6aa5cd67d024931c33cd133d52d5ae500c3015020beb30da063"),
        add1: hex!("c7228e90c62f896a09e11684530102f926ec90a3255f6c21b857883c75800143"),
        add2: hex!("76a94f224178fe4cbf9e2b8acc53c9dc3e50bb613aac8936601453cda3293b17"),
        result: hex!(concat!(
            "1a6d8dbd642076d13916e5e23038b60b26061f13dd4e006277e0268698ffb2c8",
            "7e453bae1251631ac90c701a9849d933995e8b0221fe9aca1985c546c2079027",
        )),
    },
];

/// The cases for AES-128.
#[cfg(mbedtls_ctr_drbg_use_128_bit_key)]
pub(super) const CASES: &[Case] = &[
    Case {
        name: "PR = TRUE",
        pr: true,
        entropy_len: 16,
        nonce_len: 8,
        entropy: hex!(concat!(
            "92898f31fa1cff6d182f260643dff818",
            "c2a4d972c3b9b697",
            "20728a06f86f8dd441e272b7c42ce810",
            "3db0f094f305503317863e2208f7a501",
        )),
        pers: hex!("ea65ee60264e7eb60e8268c4373c5c0b"),
        add_reseed: hex!(""),
        add1: hex!("1a40fae3cc6c7ca0f8daba59236dad1d"),
        add2: hex!("9f72766cc746e5ed2e532012bc59318c"),
        result: hex!(concat!(
            "5a3539870f4d22a40924ee71c96fac720ad6f08882d0832873ec3f93d8ab4523",
            "f07eac45145e939fb1d676433db6e80888f6da89087742fe1af43fc423c51f68",
        )),
    },
    Case {
        name: "PR = FALSE",
        pr: false,
        entropy_len: 16,
        nonce_len: 8,
        entropy: hex!(concat!(
            "e14ed7064a97814dd326b9a05bc44543",
            "876240c1f7de3dba",
            "7ec4ac660fa0bbfa66ac3802e511901f",
        )),
        pers: hex!("26ccf56848a048721d0aad87d6fc65f0"),
        add_reseed: hex!("8835d28e7f85a4e95087bdd1bb7ad57e"),
        add1: hex!("2a9bd50bbb20fefe24649f5f80eede66"),
        add2: hex!("f7ce3d5c6c381e56b25410c6909c1074"),
        result: hex!(concat!(
            "d2f3130d309bed1da65545b9d793e035fd2564303d1fdcfb6c7fee019500d9f5",
            "d434fab2d3c8d15e39a25f965aaa804c7141407e90c4a86a6c8d303ce83bfb34",
        )),
    },
];
