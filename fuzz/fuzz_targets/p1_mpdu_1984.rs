#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| x400_test_kit::fuzz::p1_mpdu_1984(data));
