#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| x400::fuzz::p1_mpdu_1984(data));
